/* SPDX-License-Identifier: Apache-2.0 */
/* The device bus (see vmm/vdev.h): a sorted array, because a VM has a few dozen devices at most
 * and lookups on every MMIO exit must be cheap and allocation-free. */
#include "vmm/vdev.h"
#include "lib/errno.h"

void vdev_bus_init(struct vdev_bus *bus)
{
	bus->count = 0;
	bus->recent = NULL;
}

/* Index of the first device whose base is greater than address. */
static unsigned upper_bound(const struct vdev_bus *bus, uint64_t address)
{
	unsigned lo = 0, hi = bus->count;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (bus->devices[mid]->base <= address)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int vdev_bus_add(struct vdev_bus *bus, struct vdev *dev, struct vdev **conflict)
{
	if (dev->size == 0 || dev->base + dev->size - 1 < dev->base)
		return -EINVAL;
	if (bus->count >= VDEV_BUS_MAX)
		return -ENOSPC;
	unsigned at = upper_bound(bus, dev->base);
	/* Only the neighbours can overlap in a sorted, non-overlapping array. */
	if (at > 0) {
		struct vdev *before = bus->devices[at - 1];
		if (before->base + before->size > dev->base) {
			if (conflict)
				*conflict = before;
			return -EEXIST;
		}
	}
	if (at < bus->count && dev->base + dev->size > bus->devices[at]->base) {
		if (conflict)
			*conflict = bus->devices[at];
		return -EEXIST;
	}
	for (unsigned i = bus->count; i > at; i--)
		bus->devices[i] = bus->devices[i - 1];
	bus->devices[at] = dev;
	bus->count++;
	return 0;
}

/* Inlined into the exit paths under LTO, as vcpu_mmio_in_place is. */
static bool holds(const struct vdev *dev, uint64_t address, unsigned width)
{
	uint64_t offset = address - dev->base;
	return offset < dev->size && width <= dev->size - offset; /* below base: offset wraps, too big */
}

__attribute__((always_inline)) struct vdev *vdev_bus_find(struct vdev_bus *bus, uint64_t address, unsigned width)
{
	struct vdev *dev = __atomic_load_n(&bus->recent, __ATOMIC_RELAXED);
	if (dev && holds(dev, address, width))
		return dev;
	unsigned at = upper_bound(bus, address);
	if (at == 0)
		return NULL;
	dev = bus->devices[at - 1];
	if (!holds(dev, address, width))
		return NULL;
	__atomic_store_n(&bus->recent, dev, __ATOMIC_RELAXED);
	return dev;
}

enum vm_exit_result vdev_bus_access(struct vdev_bus *bus, struct vcpu *vcpu, uint64_t address, unsigned width, bool write,
				    uint64_t *value)
{
	struct vdev *dev = vdev_bus_find(bus, address, width);
	if (!dev)
		return EXIT_UNCLAIMED;
	return vdev_access(dev, vcpu, address - dev->base, width, write, value);
}

/* Inlined into the exit paths under LTO, as vdev_bus_find is. */
__attribute__((always_inline)) enum vm_exit_result vdev_access(struct vdev *dev, struct vcpu *vcpu, uint64_t offset,
							       unsigned width, bool write, uint64_t *value)
{
	int err = 0;
	if (write && dev->ops->write)
		err = dev->ops->write(dev, vcpu, offset, width, *value);
	else if (!write && dev->ops->read)
		err = dev->ops->read(dev, vcpu, offset, width, value);
	else if (!write)
		*value = 0;
	return err < 0 ? EXIT_GUEST_FAULT : EXIT_HANDLED;
}
