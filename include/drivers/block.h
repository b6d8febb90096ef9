/* SPDX-License-Identifier: Apache-2.0 */
/* Block devices: the host disk the hypervisor reads guest images and configs from. Sectors are
 * 512 bytes. Reads are synchronous and polled; one caller at a time (boot, from one CPU). */
#ifndef DRIVERS_BLOCK_H
#define DRIVERS_BLOCK_H

#include "lib/types.h"

#define BLOCK_SECTOR_SIZE 512u

struct block_device {
	char name[48];          /* for messages, e.g. "virtio-blk@0xa003e00" */
	paddr_t mmio_base;      /* its MMIO window, which no VM may be given; size 0: none */
	uint64_t mmio_size;
	uint64_t sector_count;
	/* Reads `count` sectors from `sector` into `buffer` (hypervisor memory). 0 or a negative error. */
	int (*read)(struct block_device *dev, uint64_t sector, uint32_t count, void *buffer);
	void *priv;
};

/* The host disk: the first block device found (probed on the first call; the result is kept).
 * NULL when the machine has none or it could not be brought up (logged once). */
struct block_device *block_disk(void);

#endif
