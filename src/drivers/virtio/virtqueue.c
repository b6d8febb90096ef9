/* SPDX-License-Identifier: Apache-2.0 */
/* Split virtqueues (Virtio spec 1.1, 2.6), used one request at a time and polled, under the
 * device's lock: a request is a guest's (virtio-blk, served on the vCPU that notified) or the
 * hypervisor's own at boot. The rings live in one zeroed page; the device sees them at their
 * physical (= virtual) address. Where the device takes indirect descriptors (2.6.5.3), the chain
 * goes into a table of its own page and takes one ring entry: a request may then have up to
 * VIRTQUEUE_INDIRECT_MAX buffers whatever the queue's size. */
#include "drivers/virtio.h"
#include "arch/cpu.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/timer.h"
#include "lib/errno.h"
#include "lib/string.h"

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define QUEUE_SIZE_MAX 128 /* the rings still fit one page */
#define VIRTQ_DESC_F_INDIRECT 4

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

int virtqueue_setup(struct virtqueue *vq, struct virtio_device *dev, unsigned index, bool indirect)
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
	paddr_t table = indirect ? frame_alloc(1, 1) : 0;
	if (!page || (indirect && !table)) {
		if (page)
			frame_free(page, 1);
		return -ENOMEM;
	}
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
		.indirect = indirect ? (struct virtq_desc *)phys_to_virt(table) : NULL,
	};
	return dev->ops->queue_enable(dev, index, size, page, page + avail_offset, page + used_offset);
}

unsigned virtqueue_buffers_max(const struct virtqueue *vq)
{
	return vq->indirect ? VIRTQUEUE_INDIRECT_MAX : vq->size;
}

int virtqueue_transfer(struct virtqueue *vq, const struct virtqueue_buffer *buffers, unsigned count,
		       uint64_t timeout_ns)
{
	if (count == 0 || count > virtqueue_buffers_max(vq))
		return -EINVAL;
	/* The chain: in the ring's descriptor table, or in the indirect table that the ring's first
	 * descriptor then names alone (2.6.5.3.1: no NEXT beside INDIRECT). */
	struct virtq_desc *chain = vq->indirect ? vq->indirect : vq->desc;
	for (unsigned i = 0; i < count; i++) {
		chain[i] = (struct virtq_desc){
			.addr = virt_to_phys(buffers[i].data),
			.len = buffers[i].length,
			.flags = (uint16_t)((buffers[i].device_writes ? VIRTQ_DESC_F_WRITE : 0) |
					    (i + 1 < count ? VIRTQ_DESC_F_NEXT : 0)),
			.next = (uint16_t)(i + 1 < count ? i + 1 : 0),
		};
	}
	if (vq->indirect)
		vq->desc[0] = (struct virtq_desc){ .addr = virt_to_phys(vq->indirect),
						   .len = (uint32_t)(count * sizeof(struct virtq_desc)),
						   .flags = VIRTQ_DESC_F_INDIRECT };
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
