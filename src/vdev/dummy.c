/* SPDX-License-Identifier: Apache-2.0 */
/* A device that reads as zero and ignores writes (AxVisor's emu_type 0, "Dummy"). */
#include "vdev/models.h"
#include "kernel/mm.h"

static int dummy_read(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t *value)
{
	(void)dev;
	(void)offset;
	(void)width;
	*value = 0;
	return 0;
}

static int dummy_write(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t value)
{
	(void)dev;
	(void)offset;
	(void)width;
	(void)value;
	return 0;
}

static const struct vdev_ops dummy_ops = { .read = dummy_read, .write = dummy_write };

struct vdev *vdev_dummy_create(struct vm *vm, const struct vm_emu_device *config)
{
	(void)vm;
	struct vdev *dev = kzalloc(sizeof(*dev));
	if (dev)
		*dev = (struct vdev){ config->name, config->base_gpa, config->length, &dummy_ops, dev };
	return dev;
}
