/* SPDX-License-Identifier: Apache-2.0 */
/* The guest-facing virtio-net device (src/vdev/virtio/virtio_net.c) on the hypervisor's switch
 * (src/vdev/vswitch.c), driven as drivers would through the transport-neutral register operations
 * over guest RAM in a host buffer (vdev_env.c): four NICs, three on segment "lan" and one on "b".
 * A frame reaches the port that owns its destination MAC, broadcasts every other port of the
 * segment and none of the other; a receiver with no buffer loses the frame, counted; malformed
 * frames are dropped; broadcast floods meet the storm limit; a driver that breaks the rules gets
 * DEVICE_NEEDS_RESET. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/errno.h"
#include "vdev/virtio.h"
#include "vdev/virtio_net.h"
#include "vdev/vswitch.h"
#include "vdev_env.h"

#define NICS 4
#define QSIZE 8
#define RECEIVEQ 0
#define TRANSMITQ 1
#define HDR VIRTIO_NET_HDR_BYTES
/* NIC n's queue q: descriptors at RINGS(n, q), available ring + 0x400, used ring + 0x800. */
#define RINGS(n, q) (VDEV_ENV_RAM_BASE + 0x1000 + ((n) * 2 + (q)) * 0x1000)
/* NIC n's buffers: QSIZE receive buffers of 2 KiB, then QSIZE transmit buffers of 2 KiB. */
#define BUFFER(n, q, i) (VDEV_ENV_RAM_BASE + 0x10000 + (n) * 0x10000 + (q) * 0x8000 + (i) * 0x800)
#define RAM_SIZE 0x60000

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static uint64_t now_ns;
uint64_t timer_uptime_ns(void) { return now_ns; }

static struct vswitch *lan, *other;
static struct virtio_vdev *nic[NICS];
static uint16_t avail_idx[NICS][2];
static const uint8_t mac[NICS][ETH_ALEN] = {
	{ 2, 0, 0, 0, 0, 1 }, { 2, 0, 0, 0, 0, 2 }, { 2, 0, 0, 0, 0, 3 }, { 2, 0, 0, 0, 0, 4 },
};
/* NIC 2's config sets its storm limit (broadcast/multicast frames a second); the others have the
 * switch's default. */
static const uint32_t storm_per_second[NICS] = { 0, 0, 100, 0 };
static const uint8_t broadcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static struct desc *table(unsigned n, unsigned q) { return vdev_env_at(RINGS(n, q)); }
static uint16_t *avail(unsigned n, unsigned q) { return vdev_env_at(RINGS(n, q) + 0x400); }
static uint16_t used_idx(unsigned n, unsigned q) { return ((uint16_t *)vdev_env_at(RINGS(n, q) + 0x800))[1]; }
static uint32_t used_len(unsigned n, unsigned q, unsigned i)
{
	return ((uint32_t *)vdev_env_at(RINGS(n, q) + 0x804))[2 * (i % QSIZE) + 1];
}
static uint8_t *buffer(unsigned n, unsigned q, unsigned i) { return vdev_env_at(BUFFER(n, q, i)); }
static bool needs_reset(unsigned n) { return nic[n]->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET; }

static void post(unsigned n, unsigned q, uint16_t head)
{
	avail(n, q)[2 + avail_idx[n][q] % QSIZE] = head;
	avail(n, q)[1] = ++avail_idx[n][q];
}

/* Posts `count` receive buffers of `length` bytes on NIC n (descriptors 0..count-1). */
static void post_receive(unsigned n, unsigned count, uint32_t length)
{
	for (unsigned i = 0; i < count; i++) {
		unsigned slot = avail_idx[n][RECEIVEQ] % QSIZE;
		table(n, RECEIVEQ)[slot] = (struct desc){ BUFFER(n, RECEIVEQ, slot), length, 2 /* WRITE */, 0 };
		post(n, RECEIVEQ, (uint16_t)slot);
	}
	virtio_vdev_notify(nic[n], RECEIVEQ);
}

/* NIC n sends a frame of `length` bytes (header not counted) to `to`, its payload bytes `fill`. */
static void send_frame(unsigned n, const uint8_t *to, uint32_t length, uint8_t fill)
{
	unsigned slot = avail_idx[n][TRANSMITQ] % QSIZE;
	uint8_t *b = buffer(n, TRANSMITQ, slot);
	memset(b, 0, HDR);
	memcpy(b + HDR, to, ETH_ALEN);
	memcpy(b + HDR + ETH_ALEN, mac[n], ETH_ALEN);
	memset(b + HDR + 2 * ETH_ALEN, fill, length - 2 * ETH_ALEN);
	table(n, TRANSMITQ)[slot] = (struct desc){ BUFFER(n, TRANSMITQ, slot), HDR + length, 0, 0 };
	post(n, TRANSMITQ, (uint16_t)slot);
	virtio_vdev_notify(nic[n], TRANSMITQ);
}

static int setup(void **state)
{
	(void)state;
	vdev_env_reset(RAM_SIZE);
	now_ns = 1000000000;
	lan = vswitch_get("lan");
	other = vswitch_get("b");
	for (unsigned n = 0; n < NICS; n++) {
		const char *why = NULL;
		nic[n] = virtio_net_create((struct vm *)0, "eth0", 1, n == 3 ? other : lan, mac[n],
					   storm_per_second[n], &why);
		assert_non_null(nic[n]);
	}
	for (unsigned n = 0; n < NICS; n++) {
		struct vdev_env_queue queues[2];
		for (unsigned q = 0; q < 2; q++)
			queues[q] = (struct vdev_env_queue){ QSIZE, RINGS(n, q), RINGS(n, q) + 0x400, RINGS(n, q) + 0x800 };
		/* vdev_env_driver_init clears RAM: every NIC first, then the rings of all. */
		virtio_vdev_set_status(nic[n], 0);
		vdev_env_set_features(nic[n], VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS);
		virtio_vdev_set_status(nic[n], 1 | 2 | VIRTIO_STATUS_FEATURES_OK);
		for (unsigned q = 0; q < 2; q++) {
			nic[n]->queue_sel = q;
			struct vring *ring = virtio_vdev_selected(nic[n]);
			ring->num = queues[q].num;
			ring->desc_gpa = queues[q].desc;
			ring->avail_gpa = queues[q].avail;
			ring->used_gpa = queues[q].used;
			virtio_vdev_queue_ready(nic[n], true);
		}
		virtio_vdev_set_status(nic[n], 1 | 2 | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
		assert_false(needs_reset(n));
		avail_idx[n][0] = avail_idx[n][1] = 0;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned n = 0; n < NICS; n++)
		virtio_vdev_destroy(nic[n]);
	vswitch_put(lan);
	vswitch_put(other);
	return 0;
}

/* What NIC n received in used entry i: its length (header included) and the frame's bytes. */
static void assert_received(unsigned n, unsigned i, unsigned from, uint32_t length, uint8_t fill)
{
	assert_int_equal(used_len(n, RECEIVEQ, i), HDR + length);
	const uint8_t *b = buffer(n, RECEIVEQ, i % QSIZE);
	assert_int_equal(b[10], 1); /* num_buffers = 1 (5.1.6.4) */
	assert_memory_equal(b + HDR + ETH_ALEN, mac[from], ETH_ALEN);
	for (uint32_t k = 2 * ETH_ALEN; k < length; k++)
		assert_int_equal(b[HDR + k], fill);
}

static void test_config_space_shows_mac_link_and_mtu(void **state)
{
	(void)state;
	assert_true(nic[0]->device_features & VIRTIO_NET_F_MAC);
	assert_true(nic[0]->device_features & VIRTIO_NET_F_STATUS);
	assert_true(nic[0]->device_features & VIRTIO_NET_F_MTU);
	for (unsigned i = 0; i < ETH_ALEN; i++)
		assert_int_equal(virtio_vdev_config_read(nic[1], i, 1), mac[1][i]);
	assert_int_equal(virtio_vdev_config_read(nic[1], 6, 2), VIRTIO_NET_S_LINK_UP);
	assert_int_equal(virtio_vdev_config_read(nic[1], 10, 2), 1500);
	assert_int_equal(virtio_vdev_config_read(nic[1], 12, 2), 0); /* past the end */
}

static void test_broadcast_reaches_the_segment_and_not_the_other(void **state)
{
	(void)state;
	for (unsigned n = 0; n < NICS; n++)
		post_receive(n, 2, 2048);
	send_frame(0, broadcast, 60, 0xab);
	assert_int_equal(used_idx(0, TRANSMITQ), 1);  /* the transmit buffer went back */
	assert_int_equal(used_len(0, TRANSMITQ, 0), 0);
	assert_int_equal(used_idx(0, RECEIVEQ), 0);   /* not back to the sender */
	assert_int_equal(used_idx(1, RECEIVEQ), 1);
	assert_int_equal(used_idx(2, RECEIVEQ), 1);
	assert_int_equal(used_idx(3, RECEIVEQ), 0);   /* segment b */
	assert_received(1, 0, 0, 60, 0xab);
	assert_received(2, 0, 0, 60, 0xab);
	assert_true(vdev_env.irq_raises > 0);
}

static void test_unicast_goes_to_the_learned_port_alone(void **state)
{
	(void)state;
	for (unsigned n = 0; n < NICS; n++)
		post_receive(n, 4, 2048);
	/* Nothing learned about NIC 1 yet: flooded to 1 and 2, as a switch does. */
	send_frame(0, mac[1], 100, 1);
	assert_int_equal(used_idx(1, RECEIVEQ), 1);
	assert_int_equal(used_idx(2, RECEIVEQ), 1);
	/* NIC 1 answers: the switch learns it, and 0 (learned by its first frame) alone gets it. */
	send_frame(1, mac[0], 1514, 2);
	assert_int_equal(used_idx(0, RECEIVEQ), 1);
	assert_int_equal(used_idx(2, RECEIVEQ), 1);
	assert_received(0, 0, 1, 1514, 2);
	send_frame(0, mac[1], 1518, 3);
	assert_int_equal(used_idx(1, RECEIVEQ), 2);
	assert_int_equal(used_idx(2, RECEIVEQ), 1);
	assert_received(1, 1, 0, 1518, 3);
	/* From segment b, a frame to NIC 0's MAC reaches no one. */
	send_frame(3, mac[0], 64, 4);
	assert_int_equal(used_idx(0, RECEIVEQ), 1);
}

static void test_a_receiver_without_buffers_loses_the_frame_and_the_sender_goes_on(void **state)
{
	(void)state;
	post_receive(2, 1, 2048);
	send_frame(0, broadcast, 60, 5); /* NIC 1 has posted nothing */
	assert_int_equal(used_idx(0, TRANSMITQ), 1);
	assert_int_equal(used_idx(1, RECEIVEQ), 0);
	assert_int_equal(used_idx(2, RECEIVEQ), 1);
	/* A buffer too small for the frame goes back empty, with one log line. */
	post_receive(1, 1, 64);
	unsigned logs = vdev_env.log_lines;
	send_frame(0, broadcast, 600, 6);
	assert_int_equal(used_idx(1, RECEIVEQ), 1);
	assert_int_equal(used_len(1, RECEIVEQ, 0), 0);
	assert_int_equal(vdev_env.log_lines, logs + 1);
	assert_false(needs_reset(1));
}

/* What a VM's stop does to its NIC before its RAM goes (vm.c): reset, it takes no frame and
 * touches none of its old rings, while the rest of the segment goes on. */
static void test_a_reset_nic_takes_nothing_more(void **state)
{
	(void)state;
	post_receive(1, 2, 2048);
	post_receive(2, 2, 2048);
	virtio_vdev_reset(nic[1]);
	memset(vdev_env_at(RINGS(1, RECEIVEQ)), 0xa5, 0x1000); /* the old rings, no longer the NIC's */
	send_frame(0, broadcast, 60, 1);
	assert_int_equal(used_idx(2, RECEIVEQ), 1);
	const uint8_t *old = vdev_env_at(RINGS(1, RECEIVEQ));
	for (unsigned i = 0; i < 0x1000; i++)
		assert_int_equal(old[i], 0xa5);
	assert_false(needs_reset(1));
}

static void test_malformed_frames_are_dropped(void **state)
{
	(void)state;
	post_receive(1, 4, 2048);
	unsigned logs = vdev_env.log_lines;
	send_frame(0, broadcast, 13, 7);   /* shorter than an Ethernet header */
	send_frame(0, broadcast, 1519, 8); /* longer than MTU + header + a VLAN tag */
	assert_int_equal(used_idx(0, TRANSMITQ), 2);
	assert_int_equal(used_idx(1, RECEIVEQ), 0);
	assert_int_equal(vdev_env.log_lines, logs + 2);
	/* A transmit buffer outside the VM's RAM: dropped too. */
	unsigned slot = avail_idx[0][TRANSMITQ] % QSIZE;
	table(0, TRANSMITQ)[slot] = (struct desc){ VDEV_ENV_RAM_BASE + RAM_SIZE - 8, 64, 0, 0 };
	post(0, TRANSMITQ, (uint16_t)slot);
	virtio_vdev_notify(nic[0], TRANSMITQ);
	assert_int_equal(used_idx(0, TRANSMITQ), 3);
	assert_int_equal(used_idx(1, RECEIVEQ), 0);
	assert_false(needs_reset(0));
	send_frame(0, broadcast, 60, 9); /* and the device goes on */
	assert_int_equal(used_idx(1, RECEIVEQ), 1);
}

static void test_a_writable_transmit_buffer_asks_for_a_reset(void **state)
{
	(void)state;
	unsigned slot = avail_idx[0][TRANSMITQ] % QSIZE;
	table(0, TRANSMITQ)[slot] = (struct desc){ BUFFER(0, TRANSMITQ, slot), 64, 2 /* WRITE */, 0 };
	post(0, TRANSMITQ, (uint16_t)slot);
	virtio_vdev_notify(nic[0], TRANSMITQ);
	assert_true(needs_reset(0));
	/* A readable buffer in a receiveq, likewise (found when a frame arrives for it). */
	slot = avail_idx[1][RECEIVEQ] % QSIZE;
	table(1, RECEIVEQ)[slot] = (struct desc){ BUFFER(1, RECEIVEQ, slot), 2048, 0, 0 };
	post(1, RECEIVEQ, (uint16_t)slot);
	send_frame(2, broadcast, 60, 1);
	assert_true(needs_reset(1));
	assert_false(needs_reset(2));
}

/* Keeps QSIZE receive buffers posted on NIC n. */
static void refill(unsigned n)
{
	unsigned outstanding = (uint16_t)(avail_idx[n][RECEIVEQ] - used_idx(n, RECEIVEQ));
	if (outstanding < QSIZE)
		post_receive(n, QSIZE - outstanding, 2048);
}

/* NIC n broadcasts `count` frames, NIC 1's ring refilled before each; returns how many NIC 1 got. */
static unsigned broadcasts_received(unsigned n, unsigned count, uint8_t fill)
{
	unsigned received = 0;
	for (unsigned i = 0; i < count; i++) {
		refill(1);
		uint16_t before = used_idx(1, RECEIVEQ);
		send_frame(n, broadcast, 60, fill);
		received += (uint16_t)(used_idx(1, RECEIVEQ) - before);
	}
	return received;
}

static void test_a_broadcast_flood_meets_the_storm_limit(void **state)
{
	(void)state;
	/* Time stands still: the burst allowance, then nothing. */
	assert_int_equal(broadcasts_received(0, 320, 1), VSWITCH_STORM_BURST);
	assert_int_equal(used_idx(0, TRANSMITQ), 320 % 65536);
	/* Unicast is not limited (NIC 1 learned by sending once), and time refills the allowance. */
	send_frame(1, broadcast, 60, 1);
	refill(1);
	uint16_t before = used_idx(1, RECEIVEQ);
	send_frame(0, mac[1], 60, 2);
	assert_int_equal((uint16_t)(used_idx(1, RECEIVEQ) - before), 1);
	now_ns += 5000000; /* 5 ms: 10 more */
	before = used_idx(1, RECEIVEQ);
	for (unsigned i = 0; i < 7; i++) {
		refill(1);
		send_frame(0, broadcast, 60, 3);
	}
	assert_int_equal((uint16_t)(used_idx(1, RECEIVEQ) - before), 7);
}

static void test_a_port_s_own_storm_limit(void **state)
{
	(void)state;
	/* 100 a second: a burst of one second's worth, then one every 10 ms. */
	assert_int_equal(broadcasts_received(2, 120, 1), 100);
	now_ns += 25000000; /* 25 ms: two more */
	assert_int_equal(broadcasts_received(2, 5, 2), 2);
}

static void test_ports_refuse_a_used_mac_and_a_full_segment(void **state)
{
	(void)state;
	const char *why = NULL;
	struct vswitch *s = vswitch_get("lan");
	assert_null(virtio_net_create((struct vm *)0, "dup", 1, s, mac[1], 0, &why));
	assert_string_equal(why, "another NIC on its switch segment has its MAC");
	struct virtio_vdev *extra[VSWITCH_PORTS_MAX];
	unsigned made = 0;
	for (; made < VSWITCH_PORTS_MAX; made++) {
		uint8_t m[ETH_ALEN] = { 2, 1, 0, 0, 0, (uint8_t)made };
		extra[made] = virtio_net_create((struct vm *)0, "extra", 1, s, m, 0, &why);
		if (!extra[made])
			break;
		s = vswitch_get("lan");
	}
	assert_int_equal(made, VSWITCH_PORTS_MAX - 3); /* 3 of lan's ports are the fixture's */
	assert_string_equal(why, "its switch segment has no free port (16 at most)");
	vswitch_put(s);
	for (unsigned i = 0; i < made; i++)
		virtio_vdev_destroy(extra[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config_space_shows_mac_link_and_mtu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broadcast_reaches_the_segment_and_not_the_other, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unicast_goes_to_the_learned_port_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_receiver_without_buffers_loses_the_frame_and_the_sender_goes_on, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_a_reset_nic_takes_nothing_more, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_frames_are_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_writable_transmit_buffer_asks_for_a_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_broadcast_flood_meets_the_storm_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_port_s_own_storm_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ports_refuse_a_used_mac_and_a_full_segment, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
