/* SPDX-License-Identifier: Apache-2.0 */
/* Virtio block devices (Virtio 1.2, 5.2): the host's disks behind drivers/block.h. Each request is
 * a descriptor chain: header (type, sector), the data buffers, status byte; one request at a time
 * per disk, polled, under the disk's lock. A scattered transfer is one request while it stays
 * within the device's seg_max and size_max (5.2.4). Writes go only where block_allow_writes()
 * opened the disk. */
#include "drivers/block.h"
#include "drivers/virtio.h"
#include "kernel/log.h"
#include "lib/errno.h"
#include "lib/format.h"

#define REQUEST_TIMEOUT_NS 5000000000ull
/* Data buffers per request: an indirect table (a page of 256 descriptors) less header and status,
 * what QEMU's virtio-blk offers as seg_max for its queue of 256, and what Tessera's virtio-blk
 * offers its guests (vdev/virtio/virtio_blk.c), so that a guest's request is one host request. */
#define SEGMENTS_MAX (VIRTQUEUE_INDIRECT_MAX - 2)
#define SEGMENT_BYTES_DEFAULT (128u * 1024) /* per buffer when the device states no size_max */

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
	unsigned segments_max;          /* data buffers in one request (seg_max, at most SEGMENTS_MAX) */
	uint32_t segment_bytes_max;     /* bytes in one buffer (size_max), whole sectors */
	struct virtio_blk_request_header header;
	uint8_t status;
	/* Under the disk's lock: the transfer's buffers cut into requests, and the request being made. */
	struct block_segment batch[SEGMENTS_MAX];
	struct virtqueue_buffer buffers[SEGMENTS_MAX + 2];
};

static struct virtio_blk disks[BLOCK_DISKS_MAX];
static unsigned disk_count;

static const char *request_name(uint32_t type)
{
	return type == VIRTIO_BLK_T_IN ? "read" : type == VIRTIO_BLK_T_OUT ? "write" : "flush";
}

/* One request, under the disk's lock: `count` data buffers (none for a flush) of `sectors` sectors
 * in all. A write only where the disk is open for writing (checked under the lock, where the ranges
 * change). */
static int request(struct virtio_blk *blk, uint32_t type, uint64_t sector, const struct block_segment *segments,
		   unsigned count, uint64_t sectors)
{
	struct block_device *block = &blk->block;
	if (type == VIRTIO_BLK_T_OUT && !block_write_allowed(block, sector, sectors))
		return -EROFS;
	blk->header = (struct virtio_blk_request_header){ .type = type, .sector = sector };
	blk->status = 0xff;
	blk->buffers[0] = (struct virtqueue_buffer){ &blk->header, sizeof(blk->header), false };
	for (unsigned i = 0; i < count; i++)
		blk->buffers[1 + i] = (struct virtqueue_buffer){ segments[i].data, segments[i].length, type == VIRTIO_BLK_T_IN };
	blk->buffers[1 + count] = (struct virtqueue_buffer){ &blk->status, 1, true };
	int err = virtqueue_transfer(&blk->queue, blk->buffers, count + 2, REQUEST_TIMEOUT_NS);
	if (err)
		return err;
	if (blk->status != VIRTIO_BLK_S_OK) {
		log_error("%s: %s of sectors %llu+%llu failed with status %u", block->name, request_name(type),
			  (unsigned long long)sector, (unsigned long long)sectors, blk->status);
		return -EIO;
	}
	return 0;
}

/* The segments as requests, under the disk's lock: each at most segments_max buffers of at most
 * segment_bytes_max (a longer segment is cut, the pieces taking a buffer each). */
static int transfer_locked(struct virtio_blk *blk, bool write, uint64_t sector, const struct block_segment *segments,
			   unsigned count)
{
	struct block_segment *batch = blk->batch;
	unsigned used = 0, i = 0;
	uint32_t done = 0; /* bytes of segments[i] already in a batch */
	uint64_t batch_sectors = 0;
	while (i < count) {
		uint32_t n = MIN(segments[i].length - done, blk->segment_bytes_max);
		if (n)
			batch[used++] = (struct block_segment){ (uint8_t *)segments[i].data + done, n };
		batch_sectors += n / BLOCK_SECTOR_SIZE;
		done += n;
		if (done == segments[i].length) {
			i++;
			done = 0;
		}
		if (used == blk->segments_max || (i == count && used)) {
			int err = request(blk, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, sector, batch, used, batch_sectors);
			if (err)
				return err;
			sector += batch_sectors;
			used = 0;
			batch_sectors = 0;
		}
	}
	return 0;
}

static int transfer_segments(struct block_device *block, bool write, uint64_t sector,
			     const struct block_segment *segments, unsigned count)
{
	uint64_t total = 0;
	for (unsigned i = 0; i < count; i++) {
		if (segments[i].length % BLOCK_SECTOR_SIZE)
			return -EINVAL;
		total += segments[i].length / BLOCK_SECTOR_SIZE;
	}
	if (sector > block->sector_count || total > block->sector_count - sector)
		return -EINVAL;
	unsigned long flags = spin_lock_irqsave(&block->lock);
	int err = transfer_locked(block->priv, write, sector, segments, count);
	spin_unlock_irqrestore(&block->lock, flags);
	return err;
}

static int virtio_blk_read(struct block_device *block, uint64_t sector, uint32_t count, void *buffer)
{
	struct block_segment one = { buffer, count * BLOCK_SECTOR_SIZE };
	return transfer_segments(block, false, sector, &one, 1);
}

static int virtio_blk_write(struct block_device *block, uint64_t sector, uint32_t count, const void *buffer)
{
	struct block_segment one = { (void *)buffer, count * BLOCK_SECTOR_SIZE };
	return transfer_segments(block, true, sector, &one, 1);
}

static int virtio_blk_flush(struct block_device *block)
{
	struct virtio_blk *blk = block->priv;
	if (!blk->flush_needed)
		return 0;
	unsigned long flags = spin_lock_irqsave(&block->lock);
	int err = request(blk, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, 0);
	spin_unlock_irqrestore(&block->lock, flags);
	return err;
}

static int virtio_blk_probe(struct virtio_blk *disk, unsigned index)
{
	if (virtio_find_device(VIRTIO_ID_BLOCK, index, &disk->dev) < 0)
		return -ENODEV;
	uint64_t features;
	int err = virtio_negotiate(&disk->dev, VIRTIO_BLK_F_RO | VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_SEG_MAX |
						      VIRTIO_BLK_F_SIZE_MAX | VIRTIO_F_INDIRECT_DESC, &features);
	if (err)
		return err;
	err = virtqueue_setup(&disk->queue, &disk->dev, 0, features & VIRTIO_F_INDIRECT_DESC);
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
	b->transfer = transfer_segments;
	b->flush = virtio_blk_flush;
	b->priv = disk;
	disk->flush_needed = features & VIRTIO_BLK_F_FLUSH;
	/* Limits (5.2.4): seg_max (le32 at 12) data buffers a request may have, size_max (at 8) bytes
	 * one may hold; the host queue bounds the first, whole sectors the second. */
	uint32_t seg_max = (features & VIRTIO_BLK_F_SEG_MAX) ? disk->dev.ops->read_config32(&disk->dev, 12) : 1;
	uint32_t size_max = (features & VIRTIO_BLK_F_SIZE_MAX) ? disk->dev.ops->read_config32(&disk->dev, 8)
								: SEGMENT_BYTES_DEFAULT;
	disk->segments_max = MAX(1u, MIN(MIN(seg_max, (unsigned)SEGMENTS_MAX), virtqueue_buffers_max(&disk->queue) - 2));
	disk->segment_bytes_max = MAX(BLOCK_SECTOR_SIZE, size_max / BLOCK_SECTOR_SIZE * BLOCK_SECTOR_SIZE);
	log_info("Disk %u: %s: %llu sectors (%llu MiB)%s, %u buffers per request", index, b->name,
		 (unsigned long long)capacity, (unsigned long long)(capacity >> 11), b->read_only ? ", read-only" : "",
		 disk->segments_max);
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
