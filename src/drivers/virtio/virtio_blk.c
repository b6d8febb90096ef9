/* SPDX-License-Identifier: Apache-2.0 */
/* Virtio block device (Virtio spec 1.1, 5.2), read-only use: the host disk behind block_disk().
 * Each read is one request of three descriptors: header (type, sector), data, status byte. */
#include "drivers/block.h"
#include "drivers/virtio.h"
#include "kernel/log.h"
#include "lib/errno.h"
#include "lib/format.h"

#define VIRTIO_BLK_T_IN 0 /* spec 5.2.6 */
#define VIRTIO_BLK_S_OK 0
#define REQUEST_MAX_SECTORS 256u /* 128 KiB per request: below any segment limit a device may have */
#define REQUEST_TIMEOUT_NS 5000000000ull

struct virtio_blk_request_header {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct virtio_blk {
	struct virtio_device dev;
	struct virtqueue queue;
	struct block_device block;
	struct virtio_blk_request_header header;
	uint8_t status;
};

static int virtio_blk_read(struct block_device *block, uint64_t sector, uint32_t count, void *buffer)
{
	struct virtio_blk *blk = block->priv;
	uint8_t *out = buffer;
	if (sector > block->sector_count || count > block->sector_count - sector)
		return -EINVAL;
	while (count) {
		uint32_t n = count < REQUEST_MAX_SECTORS ? count : REQUEST_MAX_SECTORS;
		blk->header = (struct virtio_blk_request_header){ .type = VIRTIO_BLK_T_IN, .sector = sector };
		blk->status = 0xff;
		struct virtqueue_buffer buffers[3] = {
			{ &blk->header, sizeof(blk->header), false },
			{ out, n * BLOCK_SECTOR_SIZE, true },
			{ &blk->status, 1, true },
		};
		int err = virtqueue_transfer(&blk->queue, buffers, 3, REQUEST_TIMEOUT_NS);
		if (err)
			return err;
		if (blk->status != VIRTIO_BLK_S_OK) {
			log_error("%s: read of sectors %llu+%u failed with status %u", block->name,
				  (unsigned long long)sector, n, blk->status);
			return -EIO;
		}
		sector += n;
		count -= n;
		out += (size_t)n * BLOCK_SECTOR_SIZE;
	}
	return 0;
}

static struct virtio_blk disk;

static int virtio_blk_probe(void)
{
	if (virtio_find_device(VIRTIO_ID_BLOCK, &disk.dev) < 0)
		return -ENODEV;
	int err = virtio_negotiate(&disk.dev, 0);
	if (err)
		return err;
	err = virtqueue_setup(&disk.queue, &disk.dev, 0);
	if (err) {
		disk.dev.ops->set_status(&disk.dev, VIRTIO_STATUS_FAILED);
		return err;
	}
	disk.dev.ops->set_status(&disk.dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
						    VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	/* capacity: le64 at offset 0 of the device configuration (spec 5.2.4). */
	uint64_t capacity = disk.dev.ops->read_config32(&disk.dev, 0) |
			    (uint64_t)disk.dev.ops->read_config32(&disk.dev, 4) << 32;
	format_snprintf(disk.block.name, sizeof(disk.block.name), "%s", disk.dev.name);
	disk.block.sector_count = capacity;
	disk.block.mmio_base = disk.dev.regs;
	disk.block.mmio_size = disk.dev.regs_size;
	disk.block.read = virtio_blk_read;
	disk.block.priv = &disk;
	log_info("Disk %s: %llu sectors (%llu MiB)", disk.block.name, (unsigned long long)capacity,
		 (unsigned long long)(capacity >> 11));
	return 0;
}

struct block_device *block_disk(void)
{
	static int state; /* 0: not probed, 1: present, -1: absent */
	if (state == 0)
		state = virtio_blk_probe() == 0 ? 1 : -1;
	return state > 0 ? &disk.block : NULL;
}
