/* SPDX-License-Identifier: Apache-2.0 */
/* The VM's services a device model calls, for host tests (see vdev_env.h). */
#include "vdev_env.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/mm.h"
#include "vdev/virtio.h"
#include "kernel/spinlock.h"
#include "vmm/virq.h"
#include "vmm/vm.h"

struct vdev_env vdev_env;

void vdev_env_reset(uint64_t size)
{
	free(vdev_env.ram);
	memset(&vdev_env, 0, sizeof(vdev_env));
	vdev_env.ram = calloc(1, size);
	vdev_env.ram_size = size;
}

void *vdev_env_at(uint64_t gpa)
{
	return vdev_env.ram + (gpa - VDEV_ENV_RAM_BASE);
}

void vdev_env_set_features(struct virtio_vdev *dev, uint64_t features)
{
	for (uint32_t sel = 0; sel < 2; sel++) {
		dev->driver_features_sel = sel;
		virtio_vdev_set_driver_features(dev, (uint32_t)(features >> (32 * sel)));
	}
}

bool vdev_env_driver_init(struct virtio_vdev *dev, uint64_t features, const struct vdev_env_queue *queues,
			  unsigned count)
{
	virtio_vdev_set_status(dev, 0);
	memset(vdev_env.ram, 0, vdev_env.ram_size);
	virtio_vdev_set_status(dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vdev_env_set_features(dev, features);
	uint8_t s = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
	virtio_vdev_set_status(dev, s);
	if (!(dev->status & VIRTIO_STATUS_FEATURES_OK))
		return false;
	for (unsigned q = 0; q < count; q++) {
		dev->queue_sel = q;
		struct vring *ring = virtio_vdev_selected(dev);
		ring->num = queues[q].num;
		ring->desc_gpa = queues[q].desc;
		ring->avail_gpa = queues[q].avail;
		ring->used_gpa = queues[q].used;
		virtio_vdev_queue_ready(dev, true);
	}
	virtio_vdev_set_status(dev, s | VIRTIO_STATUS_DRIVER_OK);
	bool live = !(dev->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	for (unsigned q = 0; q < count; q++)
		live = live && dev->queues[q].ready;
	return live;
}

void *vm_guest_ram(struct vm *vm, gpa_t gpa, uint64_t length)
{
	(void)vm;
	if (length == 0 || gpa < VDEV_ENV_RAM_BASE || gpa - VDEV_ENV_RAM_BASE > vdev_env.ram_size ||
	    length > vdev_env.ram_size - (gpa - VDEV_ENV_RAM_BASE))
		return NULL;
	return vdev_env_at(gpa);
}

/* The whole buffer is one present run, as a guest's RAM is once it has touched all of it. */
void *vm_guest_ram_window(struct vm *vm, gpa_t gpa, uint64_t length, struct vm_ram_window *window)
{
	void *host = vm_guest_ram(vm, gpa, length);
	if (host)
		*window = (struct vm_ram_window){ VDEV_ENV_RAM_BASE, vdev_env.ram_size, vdev_env_at(VDEV_ENV_RAM_BASE) };
	return host;
}

void vm_irq_set(struct vm *vm, unsigned irq, bool level)
{
	(void)vm;
	(void)irq;
	if (level && !vdev_env.irq_level)
		vdev_env.irq_raises++;
	vdev_env.irq_level = level;
}

void vm_log_write(const struct vm *vm, int level, const char *file, int line, const char *fmt, ...)
{
	(void)vm;
	(void)level;
	(void)file;
	(void)line;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(vdev_env.last_log, sizeof(vdev_env.last_log), fmt, ap);
	va_end(ap);
	vdev_env.log_lines++;
}

void vm_console_putc(struct vm *vm, char c)
{
	(void)vm;
	if (vdev_env.console_length < sizeof(vdev_env.console) - 1)
		vdev_env.console[vdev_env.console_length] = c;
	vdev_env.console_length++;
}

unsigned long spin_lock_irqsave(struct spinlock *lock)
{
	(void)lock;
	return 0;
}

void spin_unlock_irqrestore(struct spinlock *lock, unsigned long flags)
{
	(void)lock;
	(void)flags;
}

paddr_t frame_alloc(size_t count, size_t align_frames)
{
	(void)align_frames;
	return (paddr_t)(uintptr_t)aligned_alloc(4096, count * 4096);
}

void frame_free(paddr_t base, size_t count)
{
	(void)count;
	free((void *)(uintptr_t)base);
}

void *kzalloc(size_t size)
{
	return calloc(1, size);
}

void kfree(void *ptr)
{
	free(ptr);
}
