/* SPDX-License-Identifier: Apache-2.0 */
/* The device bus: each VM's emulated devices, sorted by address, found by binary search.
 * A device model implements struct vdev_ops; offsets are relative to the device's base.
 * Pure data structure (no locking, no allocation beyond the caller's array); host-tested. */
#ifndef VMM_VDEV_H
#define VMM_VDEV_H

#include "lib/types.h"
#include "vmm/exit.h"

struct vdev;
struct vcpu;

/* vcpu is the vCPU making the access (a per-vCPU window such as a local APIC answers for it). */
struct vdev_ops {
	/* Return 0, or a negative error that becomes a fault for the guest (EXIT_GUEST_FAULT). */
	__must_check int (*read)(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width,
				 uint64_t *value);
	__must_check int (*write)(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width,
				  uint64_t value);
	/* Frees the device when its VM goes; NULL: kfree(dev->priv). */
	void (*destroy)(struct vdev *dev);
	/* Back to its power-on state when the VM resets (all its vCPUs stopped); NULL: nothing kept
	 * needs it. */
	void (*reset)(struct vdev *dev);
	/* One info line about what the device did, when its VM stops; NULL: nothing to say. */
	void (*report)(struct vdev *dev);
};

struct vdev {
	const char *name;
	uint64_t base;
	uint64_t size;
	const struct vdev_ops *ops;
	void *priv;
};

#define VDEV_BUS_MAX 32

/* One address space (MMIO, or x86 port I/O). */
struct vdev_bus {
	struct vdev *devices[VDEV_BUS_MAX];
	unsigned count;
	/* The device found last: a guest driver polls one register over and over. A hint shared by
	 * the VM's vCPUs, read and written relaxed; devices stay on the bus as long as it exists. */
	struct vdev *recent;
};

void vdev_bus_init(struct vdev_bus *bus);
/* Adds a device; -EEXIST when its window overlaps one already there (the message names both
 * through *conflict), -ENOSPC when the bus is full, -EINVAL for an empty or wrapping window. */
__must_check int vdev_bus_add(struct vdev_bus *bus, struct vdev *dev, struct vdev **conflict);
/* The device whose window holds [address, address + width), or NULL. */
struct vdev *vdev_bus_find(struct vdev_bus *bus, uint64_t address, unsigned width);
/* One access to dev at offset (write: *value is written; read: *value receives the result). */
__must_check enum vm_exit_result vdev_access(struct vdev *dev, struct vcpu *vcpu, uint64_t offset,
					     unsigned width, bool write, uint64_t *value);
/* Dispatches an access; EXIT_UNCLAIMED when no device claims it. */
__must_check enum vm_exit_result vdev_bus_access(struct vdev_bus *bus, struct vcpu *vcpu, uint64_t address,
						 unsigned width, bool write, uint64_t *value);

#endif
