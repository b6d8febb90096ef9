/* The device bus (see vmm/vdev.h): a sorted array, because a VM has a few dozen devices at most
 * and lookups on every MMIO exit must be cheap and allocation-free. */
#include "vmm/vdev.h"
#include "lib/errno.h"

void vdev_bus_init(struct vdev_bus *bus)
{
	bus->count = 0;
}

/* Index of the first device whose base is greater than address. size_t indices: no widening of
 * 32-bit ones on each step of a lookup that every MMIO exit makes. */
static size_t upper_bound(const struct vdev_bus *bus, uint64_t address)
{
	size_t lo = 0, hi = bus->count;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
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
	size_t at = upper_bound(bus, dev->base);
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
	for (size_t i = bus->count; i > at; i--)
		bus->devices[i] = bus->devices[i - 1];
	bus->devices[at] = dev;
	bus->count++;
	return 0;
}

struct vdev *vdev_bus_find(const struct vdev_bus *bus, uint64_t address, unsigned width)
{
	/* The last device whose base is at or below address: halve [lo, lo + n) keeping that
	 * device in it, so a bus of one device takes no step at all. */
	size_t lo = 0, n = bus->count;
	if (n == 0)
		return NULL;
	while (n > 1) {
		size_t half = n / 2;
		if (bus->devices[lo + half]->base <= address)
			lo += half;
		n -= half;
	}
	struct vdev *dev = bus->devices[lo];
	uint64_t offset = address - dev->base;
	if (address < dev->base || offset >= dev->size || width > dev->size - offset)
		return NULL;
	return dev;
}

int vdev_bus_access(const struct vdev_bus *bus, uint64_t address, unsigned width, bool write, uint64_t *value)
{
	struct vdev *dev = vdev_bus_find(bus, address, width);
	if (!dev)
		return -ENODEV;
	uint64_t offset = address - dev->base;
	if (write)
		return dev->ops->write ? dev->ops->write(dev, offset, width, *value) : 0;
	if (!dev->ops->read) {
		*value = 0;
		return 0;
	}
	return dev->ops->read(dev, offset, width, value);
}
