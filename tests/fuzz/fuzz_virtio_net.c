/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the guest-facing virtio-net device and the hypervisor's switch
 * (src/vdev/virtio/virtio_net.c, src/vdev/vswitch.c): the input is two guests sharing one
 * segment, both in one RAM image: 16 bytes choosing each NIC's queue sizes, ring addresses,
 * features and the order of their notifies, then the RAM (rings, descriptors, indirect tables,
 * frames, receive buffers). Whatever the rings say, a frame may only be copied between the two
 * guests' RAM (ASan), nothing may be undefined (UBSan), and every walk must end (the fuzzer's
 * timeout). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vdev/virtio.h"
#include "vdev/virtio_net.h"
#include "vdev/vswitch.h"
#include "../unit/vdev_env.h"

#define RAM_SIZE 0x10000
#define HEADER 16

static uint64_t now_ns;
uint64_t timer_uptime_ns(void) { return now_ns += 1000; }

/* NIC n's setup from its 6 header bytes: queue sizes, the three rings of each queue, features. */
static void start(struct virtio_vdev *v, const uint8_t *p)
{
	uint64_t features = VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC | (p[0] & 1 ? VIRTIO_F_INDIRECT_DESC : 0) |
			    (p[0] & 2 ? VIRTIO_F_EVENT_IDX : 0);
	virtio_vdev_set_status(v, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vdev_env_set_features(v, features);
	uint8_t status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
	virtio_vdev_set_status(v, status);
	for (unsigned q = 0; q < 2; q++) {
		v->queue_sel = q;
		struct vring *ring = virtio_vdev_selected(v);
		ring->num = (uint16_t)(1u << ((p[0] >> (2 + 3 * q)) % 10)); /* 1 .. 512 */
		/* Rings anywhere in (or just past) RAM, 16-byte steps for the driver's and device's. */
		ring->desc_gpa = VDEV_ENV_RAM_BASE + (uint64_t)p[1 + q] * 0x100;
		ring->avail_gpa = VDEV_ENV_RAM_BASE + (uint64_t)p[3 + q] * 0x100 + (p[5] & 0xe);
		ring->used_gpa = VDEV_ENV_RAM_BASE + (uint64_t)(uint8_t)(p[3 + q] + 1) * 0x100 + (p[5] & 0xc);
		virtio_vdev_queue_ready(v, true);
	}
	virtio_vdev_set_status(v, status | VIRTIO_STATUS_DRIVER_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < HEADER)
		return 0;
	vdev_env_reset(RAM_SIZE);
	memcpy(vdev_env.ram, data + HEADER, size - HEADER < RAM_SIZE ? size - HEADER : RAM_SIZE);
	static const uint8_t mac[2][ETH_ALEN] = { { 2, 0, 0, 0, 0, 1 }, { 2, 0, 0, 0, 0, 2 } };
	struct vswitch *segment = vswitch_get("fuzz");
	struct virtio_vdev *nic[2];
	for (unsigned n = 0; n < 2; n++) {
		const char *why;
		nic[n] = virtio_net_create(NULL, "eth0", 1, n ? vswitch_get("fuzz") : segment, mac[n], 0, &why);
		if (!nic[n])
			abort(); /* a free segment with two distinct MACs always takes both */
		start(nic[n], data + 6 * n);
	}
	/* Up to 8 notifies: bit 0 which NIC, bit 1 which queue. */
	uint32_t order = (uint32_t)data[12] | (uint32_t)data[13] << 8;
	for (unsigned i = 0; i < (data[14] & 7) + 1u; i++, order >>= 2) {
		struct virtio_vdev *v = nic[order & 1];
		virtio_vdev_notify(v, (order >> 1) & 1);
		virtio_vdev_ack_interrupt(v, VIRTIO_INTERRUPT_QUEUE | VIRTIO_INTERRUPT_CONFIG);
	}
	for (unsigned n = 0; n < 2; n++)
		virtio_vdev_destroy(nic[n]);
	return 0;
}
