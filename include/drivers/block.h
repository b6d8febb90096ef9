/* SPDX-License-Identifier: Apache-2.0 */
/* Block devices: the host's disks. Disk 0 holds the FAT32 volume the hypervisor reads guest images
 * and configs from; VMs may be given disks, partitions of them, or files on that volume
 * (vmm/vm_blk_backend.c). Sectors are 512 bytes. Requests are synchronous and polled, one at a time
 * per disk, from any CPU (each disk serializes its own).
 *
 * Writes are refused everywhere but in the ranges block_allow_writes() opened: a disk is read-only
 * except where a VM's writable backend lies. */
#ifndef DRIVERS_BLOCK_H
#define DRIVERS_BLOCK_H

#include "lib/types.h"
#include "lib/segment.h"
#include "kernel/spinlock.h"

#define BLOCK_SECTOR_SIZE 512u
#define BLOCK_DISKS_MAX 4
#define BLOCK_WRITABLE_MAX 64

struct block_range {
	uint64_t first, count;
};



struct block_device {
	char name[48];          /* for messages, e.g. "virtio-mmio@0xa003e00" */
	unsigned index;         /* disk <index>, as configs name it */
	paddr_t mmio_base;      /* its MMIO window, which no VM may be given; size 0: none */
	uint64_t mmio_size;
	uint64_t sector_count;
	bool read_only;         /* the device itself refuses writes (VIRTIO_BLK_F_RO) */
	/* `count` sectors from or to `sector`; buffer in hypervisor memory (guest RAM included). */
	__must_check int (*read)(struct block_device *dev, uint64_t sector, uint32_t count, void *buffer);
	__must_check int (*write)(struct block_device *dev, uint64_t sector, uint32_t count,
				  const void *buffer);
	/* Sectors from `sector` on, to (write) or from the segments in turn: as few device requests as
	 * the device's segment limits allow (one, for what a guest's request usually is). */
	__must_check int (*transfer)(struct block_device *dev, bool write, uint64_t sector,
				     const struct block_segment *segments, unsigned count);
	/* What was written is on the device when this returns (its cache flushed). */
	__must_check int (*flush)(struct block_device *dev);
	struct spinlock lock;   /* one request at a time */
	struct block_range writable[BLOCK_WRITABLE_MAX];
	unsigned writable_count;
	void *priv;
};

/* The host's disks, probed on the first call (the result is kept): how many, and disk i. */
unsigned block_disk_count(void);
struct block_device *block_disk_at(unsigned index);
/* Disk 0, the hypervisor's, or NULL when the machine has none. */
struct block_device *block_disk(void);
/* Opens [first, first + count) of dev for writing. -ENOSPC when too many ranges are open, -EROFS
 * when the device is read-only, -EINVAL past its end. */
__must_check int block_allow_writes(struct block_device *dev, uint64_t first, uint64_t count);
/* Closes a range block_allow_writes opened (its owner is gone). */
void block_forbid_writes(struct block_device *dev, uint64_t first, uint64_t count);
/* Whether [first, first + count) lies inside one range opened for writing. */
bool block_write_allowed(const struct block_device *dev, uint64_t first, uint64_t count);

#endif
