/* SPDX-License-Identifier: Apache-2.0 */
/* Split virtqueues (Virtio spec 1.1, 2.6), used one request at a time and polled: the hypervisor
 * reads its disk only at boot, so neither interrupts nor several requests in flight are needed.
 * The rings live in one zeroed page; the device sees them at their physical (= virtual) address. */
#include "drivers/virtio.h"
#include "arch/cpu.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/timer.h"
#include "lib/errno.h"
#include "lib/string.h"

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define QUEUE_SIZE_MAX 128 /* a scattered request of a guest's size; the rings still fit one page */

struct virtq_desc { /* spec 2.6.5 */
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail { /* spec 2.6.6 */
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used { /* spec 2.6.8 */
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

int virtqueue_setup(struct virtqueue *vq, struct virtio_device *dev, unsigned index)
{
	uint16_t max = dev->ops->queue_max(dev, index);
	if (max == 0) {
		log_error("%s: queue %u does not exist", dev->name, index);
		return -ENODEV;
	}
	uint16_t size = QUEUE_SIZE_MAX;
	while (size > max) /* split queue sizes are powers of two (spec 2.6) */
		size >>= 1;
	paddr_t page = frame_alloc(1, 1);
	if (!page)
		return -ENOMEM;
	uint8_t *base = phys_to_virt(page);
	memset(base, 0, PAGE_SIZE);
	/* Alignment (spec 2.6): descriptors 16, available ring 2, used ring 4. */
	size_t avail_offset = sizeof(struct virtq_desc) * size;
	size_t used_offset = ALIGN_UP(avail_offset + 6 + 2u * size, (size_t)4);
	*vq = (struct virtqueue){
		.dev = dev,
		.index = index,
		.size = size,
		.desc = (struct virtq_desc *)base,
		.avail = (struct virtq_avail *)(base + avail_offset),
		.used = (struct virtq_used *)(base + used_offset),
	};
	return dev->ops->queue_enable(dev, index, size, page, page + avail_offset, page + used_offset);
}

int virtqueue_transfer(struct virtqueue *vq, const struct virtqueue_buffer *buffers, unsigned count,
		       uint64_t timeout_ns)
{
	if (count == 0 || count > vq->size)
		return -EINVAL;
	for (unsigned i = 0; i < count; i++) {
		vq->desc[i] = (struct virtq_desc){
			.addr = virt_to_phys(buffers[i].data),
			.len = buffers[i].length,
			.flags = (uint16_t)((buffers[i].device_writes ? VIRTQ_DESC_F_WRITE : 0) |
					    (i + 1 < count ? VIRTQ_DESC_F_NEXT : 0)),
			.next = (uint16_t)(i + 1 < count ? i + 1 : 0),
		};
	}
	vq->avail->ring[vq->next_avail % vq->size] = 0; /* the chain's head descriptor */
	/* The descriptors and ring entry must be visible before the index that publishes them, and the
	 * index before the notification (spec 2.6.13). */
	arch_memory_barrier();
	vq->next_avail++;
	__atomic_store_n(&vq->avail->idx, vq->next_avail, __ATOMIC_RELEASE);
	arch_memory_barrier();
	vq->dev->ops->queue_notify(vq->dev, vq->index);
	uint64_t deadline = timer_uptime_ns() + timeout_ns;
	while (__atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE) == vq->last_used) {
		if (timer_uptime_ns() > deadline) {
			log_error("%s: queue %u: no answer within %llu ms", vq->dev->name, vq->index,
				  (unsigned long long)(timeout_ns / 1000000));
			return -ETIMEDOUT;
		}
		arch_cpu_relax();
	}
	arch_memory_barrier();
	vq->last_used++;
	return 0;
}
