/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the guest-facing virtio-blk device and its ring walker (src/vdev/virtio/):
 * the input is a guest: a few bytes choosing the queue size, the ring addresses and the features it
 * negotiates, then the image of its RAM (rings, descriptors, indirect tables, request headers).
 * The device is notified a few times over it; whatever the rings say, it must only touch guest RAM
 * and its RAM disk (ASan), do nothing undefined (UBSan), and every walk must end (the fuzzer's
 * timeout). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vdev/virtio.h"
#include "vdev/virtio_blk.h"
#include "../unit/vdev_env.h"

#define RAM_SIZE 0x10000
#define DISK_SECTORS 16

static uint8_t disk[DISK_SECTORS * 512];

static int disk_transfer(struct vblk_backend *b, bool write, uint64_t sector, const struct block_segment *segments,
			 unsigned count)
{
	(void)b;
	for (unsigned i = 0; i < count; i++) {
		uint64_t sectors = segments[i].length / 512;
		if (segments[i].length % 512 || sector > DISK_SECTORS || sectors > DISK_SECTORS - sector)
			abort(); /* the device let a request past the end of the disk, or a part sector, through */
		if (write)
			memcpy(disk + sector * 512, segments[i].data, segments[i].length);
		else
			memcpy(segments[i].data, disk + sector * 512, segments[i].length);
		sector += sectors;
	}
	return 0;
}

static int disk_flush(struct vblk_backend *b)
{
	(void)b;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8)
		return 0;
	vdev_env_reset(RAM_SIZE);
	memcpy(vdev_env.ram, data + 8, size - 8 < RAM_SIZE ? size - 8 : RAM_SIZE);
	struct vblk_backend backend = { .name = "fuzz", .sectors = DISK_SECTORS, .transfer = disk_transfer,
					.flush = disk_flush };
	struct virtio_vdev *v = virtio_blk_create(NULL, "vda@fuzz", 1, &backend);
	uint64_t features = VIRTIO_F_VERSION_1 | (data[1] & 1 ? VIRTIO_F_INDIRECT_DESC : 0) |
			    (data[1] & 2 ? VIRTIO_F_EVENT_IDX : 0);
	virtio_vdev_set_status(v, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	v->driver_features_sel = 0;
	virtio_vdev_set_driver_features(v, (uint32_t)features);
	v->driver_features_sel = 1;
	virtio_vdev_set_driver_features(v, (uint32_t)(features >> 32));
	uint8_t status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
	virtio_vdev_set_status(v, status);
	struct vring *q = virtio_vdev_selected(v);
	q->num = (uint16_t)(1u << (data[0] % 10)); /* 1 .. 512: some beyond what the device takes */
	/* Rings anywhere in (or just past) RAM, 16-byte steps. */
	q->desc_gpa = VDEV_ENV_RAM_BASE + (uint64_t)data[2] * 0x100;
	q->avail_gpa = VDEV_ENV_RAM_BASE + (uint64_t)data[3] * 0x100 + (data[6] & 0xe);
	q->used_gpa = VDEV_ENV_RAM_BASE + (uint64_t)data[4] * 0x100 + (data[6] & 0xc);
	virtio_vdev_queue_ready(v, true);
	virtio_vdev_set_status(v, status | VIRTIO_STATUS_DRIVER_OK);
	for (unsigned i = 0; i < (data[5] & 7) + 1u; i++) {
		virtio_vdev_notify(v, data[7] & 1);
		virtio_vdev_ack_interrupt(v, VIRTIO_INTERRUPT_QUEUE | VIRTIO_INTERRUPT_CONFIG);
	}
	v->ops->destroy(v);
	return 0;
}
