/* SPDX-License-Identifier: Apache-2.0 */
/* The VM's services a device model calls, for host tests (see vdev_env.h). */
#include "vdev_env.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/mm.h"
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

void *vm_guest_ram(struct vm *vm, gpa_t gpa, uint64_t length)
{
	(void)vm;
	if (length == 0 || gpa < VDEV_ENV_RAM_BASE || gpa - VDEV_ENV_RAM_BASE > vdev_env.ram_size ||
	    length > vdev_env.ram_size - (gpa - VDEV_ENV_RAM_BASE))
		return NULL;
	return vdev_env_at(gpa);
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
