/* SPDX-License-Identifier: Apache-2.0 */
/* A virtio block device for a guest (Virtio 1.2, 5.2) over a backend: a host disk, a partition of
 * one, or a file on the hypervisor's FAT32 disk (the VMM builds backends: vmm/vm_blk_backend.c). */
#ifndef VDEV_VIRTIO_BLK_H
#define VDEV_VIRTIO_BLK_H

#include "lib/types.h"
#include "lib/virtio_spec.h"
#include "lib/segment.h"

struct vm;
struct virtio_vdev;

/* Where a guest disk's sectors (512 bytes) are. Calls are serialized per device; a backend shared
 * by several devices (read-only) serializes itself. Each returns 0 or a negative error. */
struct vblk_backend {
	char name[64];                  /* for messages: "disk1p2", "/guest/root.img" */
	uint64_t sectors;
	bool read_only;
	char id[VIRTIO_BLK_ID_BYTES];   /* GET_ID's answer (zero-padded) */
	/* Sectors from `sector` on, to (write) or from the segments in turn: a guest's request whole,
	 * which a host disk takes as one request where it can. */
	__must_check int (*transfer)(struct vblk_backend *b, bool write, uint64_t sector,
				     const struct block_segment *segments, unsigned count);
	__must_check int (*flush)(struct vblk_backend *b);
	/* Gives back what the backend holds; called when its device is destroyed. */
	void (*close)(struct vblk_backend *b);
	void *priv;
};

/* The device (not yet on a transport): its virtio_vdev for virtio_mmio_create or the PCI transport.
 * It owns the backend from here on (closing it when destroyed). NULL when memory runs out. */
__must_check struct virtio_vdev *virtio_blk_create(struct vm *vm, const char *name, unsigned irq,
						   struct vblk_backend *backend);

#endif
