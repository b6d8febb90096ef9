/* SPDX-License-Identifier: Apache-2.0 */
/* virtio-blk for guests (Virtio 1.2, 5.2): one request queue; IN, OUT, FLUSH and GET_ID served on
 * the notify against the backend (vdev/virtio_blk.h). A request whose buffers are not the VM's RAM,
 * whose data is not whole sectors or runs past the disk, or that writes a read-only disk fails with
 * IOERR; a broken ring makes the device ask for a reset (vdev/virtio.h). */
#include "vdev/virtio_blk.h"
#include "vdev/virtio.h"
#include "vmm/vm.h"
#include "kernel/mm.h"
#include "kernel/timer.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"

#define SECTOR 512u
/* Data buffers in a request, besides header and status: what one request to a host disk takes (an
 * indirect table of 256 less header and status, drivers/virtio/virtio_blk.c; QEMU's own seg_max
 * for its queue of 256), so that a guest's request is not cut in two on the way. Linux then sends
 * a 1 MiB block of scattered pages as one request (256 pages need 2 at 254, 3 at 126). */
#define SEG_MAX (VRING_SEGMENTS_MAX - 2)
#define BOUNCE_FRAMES 16                   /* 64 KiB for data that is not in whole-sector buffers */
#define BOUNCE_BYTES (BOUNCE_FRAMES * PAGE_SIZE)

/* Device configuration (5.2.4), the fields the offered features make valid. */
#define CONFIG_CAPACITY 0
#define CONFIG_SEG_MAX 12
#define CONFIG_BLK_SIZE 20
#define CONFIG_SIZE 24

struct request_header { /* 5.2.6 */
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct virtio_blk {
	struct virtio_vdev v;
	struct vblk_backend *backend;
	uint8_t *bounce;
	struct vring_chain chain;
	struct block_segment segments[VRING_SEGMENTS_MAX]; /* the request's data, for the backend */
	/* Reads [0] and writes [1] done: bytes, and the time the backend took for them (the host
	 * disk's requests, waited for), for the report at the VM's stop: where a benchmark's time
	 * goes (bench/virtio_blk.sh). */
	uint64_t moved_bytes[2];
	uint64_t moved_ns[2];
};

/* The request's data buffers into blk->segments, leaving out the first `skip_first` bytes (an
 * OUT's header) and the last `skip_last` (an IN's status byte), when each is whole sectors of the
 * VM's RAM on its own: then the backend reads and writes guest memory itself, with no copy.
 * Returns how many, or -1 (the data goes through the bounce buffer). */
static int gather(struct virtio_blk *blk, bool device_writes, uint64_t skip_first, uint64_t skip_last)
{
	const struct vring_chain *c = &blk->chain;
	uint64_t at = 0, end = (device_writes ? c->writable : c->readable) - skip_last;
	int n = 0;
	for (unsigned i = 0; i < c->count; i++) {
		const struct vring_segment *s = &c->segments[i];
		if (s->device_writes != device_writes || s->length == 0)
			continue;
		uint64_t first = at, last = at + s->length;
		at = last;
		if (last <= skip_first || first >= end)
			continue;
		if (first < skip_first || last > end || !s->host || s->length % SECTOR)
			return -1;
		blk->segments[n++] = (struct block_segment){ s->host, s->length };
	}
	return n;
}

/* Moves `count` sectors between the backend at `sector` and the request's data, which starts
 * `offset` bytes into the readable (OUT) or writable (IN) buffers. */
static int transfer(struct virtio_blk *blk, bool in, uint64_t sector, uint64_t count, uint64_t offset)
{
	struct vblk_backend *b = blk->backend;
	const struct vring_chain *c = &blk->chain;
	int n = gather(blk, in, offset, in ? 1 : 0);
	if (n >= 0)
		return b->transfer(b, !in, sector, blk->segments, (unsigned)n);
	while (count) {
		uint32_t sectors = (uint32_t)MIN(count, BOUNCE_BYTES / SECTOR);
		struct block_segment bounce = { blk->bounce, sectors * SECTOR };
		int err;
		if (in) {
			err = b->transfer(b, false, sector, &bounce, 1);
			if (!err && vring_chain_write(c, offset, blk->bounce, bounce.length) != bounce.length)
				err = -EFAULT;
		} else {
			err = vring_chain_read(c, offset, blk->bounce, bounce.length) != bounce.length
				      ? -EFAULT
				      : b->transfer(b, true, sector, &bounce, 1);
		}
		if (err)
			return err;
		sector += sectors;
		count -= sectors;
		offset += bounce.length;
	}
	return 0;
}

/* Serves one request; returns its status and sets *written to the bytes it wrote, status included. */
static uint8_t serve(struct virtio_blk *blk, uint32_t *written)
{
	const struct vring_chain *c = &blk->chain;
	struct vblk_backend *b = blk->backend;
	struct request_header h;
	*written = 1;
	if (c->outside_ram) {
		virtio_vdev_log_failure(&blk->v, "a request's buffer is outside the VM's RAM: IOERR");
		return VIRTIO_BLK_S_IOERR;
	}
	if (vring_chain_read(c, 0, &h, sizeof(h)) != sizeof(h)) {
		virtio_vdev_log_failure(&blk->v, "a request without its 16-byte header: IOERR");
		return VIRTIO_BLK_S_IOERR;
	}
	switch (h.type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT: {
		bool in = h.type == VIRTIO_BLK_T_IN;
		uint64_t bytes = in ? c->writable - 1 : c->readable - sizeof(h);
		if (bytes % SECTOR || h.sector > b->sectors || bytes / SECTOR > b->sectors - h.sector) {
			virtio_vdev_log_failure(&blk->v, "a request not in whole sectors or past the end of the disk: IOERR");
			return VIRTIO_BLK_S_IOERR;
		}
		if (!in && b->read_only)
			return VIRTIO_BLK_S_IOERR; /* the driver was told (VIRTIO_BLK_F_RO) */
		uint64_t started = timer_uptime_ns();
		int err = transfer(blk, in, h.sector, bytes / SECTOR, in ? 0 : sizeof(h));
		blk->moved_ns[!in] += timer_uptime_ns() - started;
		if (err < 0)
			return VIRTIO_BLK_S_IOERR;
		blk->moved_bytes[!in] += bytes;
		if (in)
			*written = (uint32_t)bytes + 1;
		return VIRTIO_BLK_S_OK;
	}
	case VIRTIO_BLK_T_FLUSH:
		return b->read_only || b->flush(b) == 0 ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
	case VIRTIO_BLK_T_GET_ID: {
		uint64_t n = MIN(c->writable - 1, (uint64_t)VIRTIO_BLK_ID_BYTES);
		vring_chain_write(c, 0, b->id, n);
		*written = (uint32_t)n + 1;
		return VIRTIO_BLK_S_OK;
	}
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

/* One request: served, and its status byte (the last byte the device may write) set. */
static int64_t serve_request(struct virtio_vdev *v, const struct vring_chain *c, void *ctx)
{
	struct virtio_blk *blk = ctx;
	if (c->writable == 0) {
		virtio_vdev_fault(v, "a request with no status byte");
		return -1;
	}
	uint32_t written;
	uint8_t status = serve(blk, &written);
	if (vring_chain_write(c, c->writable - 1, &status, 1) != 1) {
		virtio_vdev_fault(v, "a request's status byte is outside the VM's RAM");
		return -1;
	}
	return written;
}

static void blk_queue_notify(struct virtio_vdev *v, unsigned index)
{
	struct virtio_blk *blk = v->priv;
	virtio_vdev_serve(v, &v->queues[index], &blk->chain, serve_request, NULL, blk);
}

static uint64_t blk_config_read(struct virtio_vdev *v, unsigned offset, unsigned width)
{
	struct virtio_blk *blk = v->priv;
	uint8_t config[CONFIG_SIZE] = { 0 };
	uint64_t capacity = blk->backend->sectors;
	uint32_t seg_max = SEG_MAX, blk_size = SECTOR;
	memcpy(config + CONFIG_CAPACITY, &capacity, sizeof(capacity));
	memcpy(config + CONFIG_SEG_MAX, &seg_max, sizeof(seg_max));
	memcpy(config + CONFIG_BLK_SIZE, &blk_size, sizeof(blk_size));
	uint64_t value = 0;
	memcpy(&value, config + offset, width); /* little-endian, as the configuration space is */
	return value;
}

static void blk_report(struct virtio_vdev *v)
{
	struct virtio_blk *blk = v->priv;
	unsigned long flags = spin_lock_irqsave(v->lock);
	uint64_t bytes[2] = { blk->moved_bytes[0], blk->moved_bytes[1] }, ns[2] = { blk->moved_ns[0], blk->moved_ns[1] };
	spin_unlock_irqrestore(v->lock, flags);
	vm_log_info(v->vm, "%s: read %llu KiB in %llu us, wrote %llu KiB in %llu us (the backend's part)", v->name,
		    (unsigned long long)(bytes[0] >> 10), (unsigned long long)(ns[0] / 1000),
		    (unsigned long long)(bytes[1] >> 10), (unsigned long long)(ns[1] / 1000));
}

static void blk_destroy(struct virtio_vdev *v)
{
	struct virtio_blk *blk = v->priv;
	if (blk->backend->close)
		blk->backend->close(blk->backend);
	frame_free(virt_to_phys(blk->bounce), BOUNCE_FRAMES);
	kfree(blk);
}

static const struct virtio_vdev_ops blk_ops = {
	.queue_notify = blk_queue_notify,
	.config_read = blk_config_read,
	.config_size = CONFIG_SIZE,
	.report = blk_report,
	.destroy = blk_destroy,
};

struct virtio_vdev *virtio_blk_create(struct vm *vm, const char *name, unsigned irq, struct vblk_backend *backend)
{
	struct virtio_blk *blk = kzalloc(sizeof(*blk));
	paddr_t bounce = frame_alloc(BOUNCE_FRAMES, 1);
	if (!blk || !bounce) {
		kfree(blk);
		if (bounce)
			frame_free(bounce, BOUNCE_FRAMES);
		return NULL;
	}
	blk->backend = backend;
	blk->bounce = phys_to_virt(bounce);
	uint64_t features = VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH |
			    (backend->read_only ? VIRTIO_BLK_F_RO : 0);
	virtio_vdev_init(&blk->v, vm, name, VIRTIO_ID_BLOCK, irq, 1, features, &blk_ops, blk);
	return &blk->v;
}
