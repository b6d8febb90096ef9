/* SPDX-License-Identifier: Apache-2.0 */
/* Virtio block devices (Virtio 1.2, 5.2): the host's disks behind drivers/block.h. Each request is
 * three descriptors: header (type, sector), data, status byte; one request at a time per disk,
 * polled, under the disk's lock. Writes go only where block_allow_writes() opened the disk. */
#include "drivers/block.h"
#include "drivers/virtio.h"
#include "kernel/log.h"
#include "lib/errno.h"
#include "lib/format.h"

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
	bool flush_needed;              /* VIRTIO_BLK_F_FLUSH negotiated: writes may sit in a cache */
	struct virtio_blk_request_header header;
	uint8_t status;
};

static struct virtio_blk disks[BLOCK_DISKS_MAX];
static unsigned disk_count;

static const char *request_name(uint32_t type)
{
	return type == VIRTIO_BLK_T_IN ? "read" : type == VIRTIO_BLK_T_OUT ? "write" : "flush";
}

/* One request under the disk's lock; data NULL for a flush. A write only where the disk is open
 * for writing (checked under the lock, where the ranges change). */
static int request(struct virtio_blk *blk, uint32_t type, uint64_t sector, uint32_t count, void *data)
{
	struct block_device *block = &blk->block;
	unsigned long flags = spin_lock_irqsave(&block->lock);
	if (type == VIRTIO_BLK_T_OUT && !block_write_allowed(block, sector, count)) {
		spin_unlock_irqrestore(&block->lock, flags);
		return -EROFS;
	}
	blk->header = (struct virtio_blk_request_header){ .type = type, .sector = sector };
	blk->status = 0xff;
	struct virtqueue_buffer buffers[3] = {
		{ &blk->header, sizeof(blk->header), false },
		{ data, count * BLOCK_SECTOR_SIZE, type == VIRTIO_BLK_T_IN },
		{ &blk->status, 1, true },
	};
	int err = data ? virtqueue_transfer(&blk->queue, buffers, 3, REQUEST_TIMEOUT_NS)
		       : virtqueue_transfer(&blk->queue, (struct virtqueue_buffer[]){ buffers[0], buffers[2] }, 2,
					    REQUEST_TIMEOUT_NS);
	uint8_t status = blk->status;
	spin_unlock_irqrestore(&block->lock, flags);
	if (err)
		return err;
	if (status != VIRTIO_BLK_S_OK) {
		log_error("%s: %s of sectors %llu+%u failed with status %u", block->name, request_name(type),
			  (unsigned long long)sector, count, status);
		return -EIO;
	}
	return 0;
}

static int transfer(struct block_device *block, uint32_t type, uint64_t sector, uint32_t count, void *buffer)
{
	struct virtio_blk *blk = block->priv;
	uint8_t *data = buffer;
	if (sector > block->sector_count || count > block->sector_count - sector)
		return -EINVAL;
	while (count) {
		uint32_t n = count < REQUEST_MAX_SECTORS ? count : REQUEST_MAX_SECTORS;
		int err = request(blk, type, sector, n, data);
		if (err)
			return err;
		sector += n;
		count -= n;
		data += (size_t)n * BLOCK_SECTOR_SIZE;
	}
	return 0;
}

static int virtio_blk_read(struct block_device *block, uint64_t sector, uint32_t count, void *buffer)
{
	return transfer(block, VIRTIO_BLK_T_IN, sector, count, buffer);
}

static int virtio_blk_write(struct block_device *block, uint64_t sector, uint32_t count, const void *buffer)
{
	return transfer(block, VIRTIO_BLK_T_OUT, sector, count, (void *)buffer);
}

static int virtio_blk_flush(struct block_device *block)
{
	struct virtio_blk *blk = block->priv;
	return blk->flush_needed ? request(blk, VIRTIO_BLK_T_FLUSH, 0, 0, NULL) : 0;
}

static int virtio_blk_probe(struct virtio_blk *disk, unsigned index)
{
	if (virtio_find_device(VIRTIO_ID_BLOCK, index, &disk->dev) < 0)
		return -ENODEV;
	uint64_t features;
	int err = virtio_negotiate(&disk->dev, VIRTIO_BLK_F_RO | VIRTIO_BLK_F_FLUSH, &features);
	if (err)
		return err;
	err = virtqueue_setup(&disk->queue, &disk->dev, 0);
	if (err) {
		disk->dev.ops->set_status(&disk->dev, VIRTIO_STATUS_FAILED);
		return err;
	}
	disk->dev.ops->set_status(&disk->dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
						      VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	/* capacity: le64 at offset 0 of the device configuration (spec 5.2.4). */
	uint64_t capacity = disk->dev.ops->read_config32(&disk->dev, 0) |
			    (uint64_t)disk->dev.ops->read_config32(&disk->dev, 4) << 32;
	struct block_device *b = &disk->block;
	format_snprintf(b->name, sizeof(b->name), "%s", disk->dev.name);
	b->index = index;
	b->sector_count = capacity;
	b->read_only = features & VIRTIO_BLK_F_RO;
	b->mmio_base = disk->dev.regs;
	b->mmio_size = disk->dev.regs_size;
	b->read = virtio_blk_read;
	b->write = virtio_blk_write;
	b->flush = virtio_blk_flush;
	b->priv = disk;
	disk->flush_needed = features & VIRTIO_BLK_F_FLUSH;
	log_info("Disk %u: %s: %llu sectors (%llu MiB)%s", index, b->name, (unsigned long long)capacity,
		 (unsigned long long)(capacity >> 11), b->read_only ? ", read-only" : "");
	return 0;
}

static void probe_all(void)
{
	static bool probed;
	if (probed)
		return;
	probed = true;
	while (disk_count < BLOCK_DISKS_MAX && virtio_blk_probe(&disks[disk_count], disk_count) == 0)
		disk_count++;
}

unsigned block_disk_count(void)
{
	probe_all();
	return disk_count;
}

struct block_device *block_disk_at(unsigned index)
{
	probe_all();
	return index < disk_count ? &disks[index].block : NULL;
}

struct block_device *block_disk(void)
{
	return block_disk_at(0);
}
