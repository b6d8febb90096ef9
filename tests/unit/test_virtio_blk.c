/* SPDX-License-Identifier: Apache-2.0 */
/* The guest-facing virtio-blk device and its ring walker (src/vdev/virtio/), driven as a driver
 * would through the transport-neutral register operations, over guest RAM in a host buffer
 * (vdev_env.c) and a RAM disk: good requests, interrupt suppression, and every way of breaking the
 * rules the device must survive (IOERR, or DEVICE_NEEDS_RESET and a working device after a reset). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vdev/virtio.h"
#include "vdev/virtio_blk.h"
#include "vdev_env.h"

#define QSIZE 16
#define DESC (VDEV_ENV_RAM_BASE + 0x1000)
#define AVAIL (VDEV_ENV_RAM_BASE + 0x2000)
#define USED (VDEV_ENV_RAM_BASE + 0x3000)
#define HEADER (VDEV_ENV_RAM_BASE + 0x4000)
#define STATUS (VDEV_ENV_RAM_BASE + 0x4100)
#define INDIRECT (VDEV_ENV_RAM_BASE + 0x5000)
#define DATA (VDEV_ENV_RAM_BASE + 0x8000)
#define RAM_SIZE 0x40000
#define DISK_SECTORS 64

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static uint8_t disk[DISK_SECTORS * 512];
static bool disk_read_only;
static unsigned flushes;

static unsigned transfers;

/* The RAM disk: the segments in turn, whole sectors each, inside the disk. */
static int ram_transfer(struct vblk_backend *b, bool write, uint64_t sector, const struct block_segment *segments,
			unsigned count)
{
	(void)b;
	transfers++;
	for (unsigned i = 0; i < count; i++) {
		assert_int_equal(segments[i].length % 512, 0);
		assert_true(sector * 512 + segments[i].length <= sizeof(disk));
		if (write)
			memcpy(disk + sector * 512, segments[i].data, segments[i].length);
		else
			memcpy(segments[i].data, disk + sector * 512, segments[i].length);
		sector += segments[i].length / 512;
	}
	return 0;
}

static int ram_flush(struct vblk_backend *b)
{
	(void)b;
	flushes++;
	return 0;
}

static struct vblk_backend backend;
static struct virtio_vdev *dev;
static uint16_t avail_idx, used_seen;

static struct desc *table(void) { return vdev_env_at(DESC); }
static uint16_t *avail(void) { return vdev_env_at(AVAIL); } /* flags, idx, ring[QSIZE], used_event */
static uint16_t *used16(void) { return vdev_env_at(USED); } /* flags, idx, ring of {u32 id, u32 len} */
static uint32_t used_len(unsigned i) { return ((uint32_t *)vdev_env_at(USED + 4))[2 * (i % QSIZE) + 1]; }
static uint8_t status_byte(void) { return *(uint8_t *)vdev_env_at(STATUS); }
static bool needs_reset(void) { return dev->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET; }

/* Reset and bring queue 0 up with `num` entries, these features and its descriptors at desc;
 * whether it went live. */
static bool driver_init_at(uint16_t num, uint64_t features, uint64_t desc)
{
	avail_idx = used_seen = 0;
	struct vdev_env_queue q = { num, desc, AVAIL, USED };
	return vdev_env_driver_init(dev, features, &q, 1);
}

static bool driver_init(uint16_t num, uint64_t features)
{
	return driver_init_at(num, features, DESC);
}

static void publish(uint16_t head)
{
	avail()[2 + avail_idx % QSIZE] = head;
	avail_idx++;
	avail()[1] = avail_idx;
	virtio_vdev_notify(dev, 0);
}

/* header, data (device-written for IN and GET_ID), status; returns the status byte (0xff: none). */
static uint8_t request(uint32_t type, uint64_t sector, uint64_t data, uint32_t len)
{
	uint32_t header[4] = { type, 0, (uint32_t)sector, (uint32_t)(sector >> 32) };
	memcpy(vdev_env_at(HEADER), header, sizeof(header));
	*(uint8_t *)vdev_env_at(STATUS) = 0xff;
	bool writes = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
	table()[0] = (struct desc){ HEADER, 16, VRING_DESC_F_NEXT, len ? 1 : 2 };
	table()[1] = (struct desc){ data, len, (uint16_t)(VRING_DESC_F_NEXT | (writes ? VRING_DESC_F_WRITE : 0)), 2 };
	table()[2] = (struct desc){ STATUS, 1, VRING_DESC_F_WRITE, 0 };
	publish(0);
	return status_byte();
}

static int setup(void **state)
{
	(void)state;
	vdev_env_reset(RAM_SIZE);
	memset(disk, 0, sizeof(disk));
	disk_read_only = false;
	flushes = 0;
	transfers = 0;
	backend = (struct vblk_backend){ .name = "ramdisk", .sectors = DISK_SECTORS, .transfer = ram_transfer,
					 .flush = ram_flush };
	memcpy(backend.id, "test-disk", 10);
	dev = virtio_blk_create(NULL, "vda@test", 5, &backend);
	assert_non_null(dev);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dev->ops->destroy(dev);
	return 0;
}

static void test_requests(void **state)
{
	(void)state;
	uint64_t offered = dev->device_features;
	assert_true(offered & VIRTIO_F_VERSION_1);
	assert_true(offered & VIRTIO_F_INDIRECT_DESC);
	assert_true(offered & VIRTIO_F_EVENT_IDX);
	assert_true(offered & VIRTIO_BLK_F_FLUSH);
	assert_false(offered & VIRTIO_BLK_F_RO);
	assert_int_equal(virtio_vdev_config_read(dev, 0, 8), DISK_SECTORS);
	assert_int_equal(virtio_vdev_config_read(dev, 12, 4), 254);
	assert_int_equal(virtio_vdev_config_read(dev, 100, 4), 0); /* past the configuration: zero */
	assert_true(driver_init(QSIZE, VIRTIO_F_VERSION_1));

	memset(vdev_env_at(DATA), 0xab, 1024);
	assert_int_equal(request(VIRTIO_BLK_T_OUT, 3, DATA, 1024), VIRTIO_BLK_S_OK);
	assert_int_equal(used_len(0), 1);
	assert_int_equal(disk[3 * 512], 0xab);
	assert_int_equal(disk[5 * 512 - 1], 0xab);
	assert_int_equal(disk[5 * 512], 0);
	memset(vdev_env_at(DATA), 0, 1024);
	assert_int_equal(request(VIRTIO_BLK_T_IN, 4, DATA, 512), VIRTIO_BLK_S_OK);
	assert_int_equal(used_len(1), 513);
	assert_int_equal(*(uint8_t *)vdev_env_at(DATA + 511), 0xab);
	assert_int_equal(request(VIRTIO_BLK_T_FLUSH, 0, 0, 0), VIRTIO_BLK_S_OK);
	assert_int_equal(flushes, 1);
	assert_int_equal(request(VIRTIO_BLK_T_GET_ID, 0, DATA, 20), VIRTIO_BLK_S_OK);
	assert_string_equal(vdev_env_at(DATA), "test-disk");
	/* A request of whole-sector buffers is one backend call, straight into guest memory. */
	unsigned before = transfers;
	memset(vdev_env_at(DATA), 0, 1024);
	assert_int_equal(request(VIRTIO_BLK_T_IN, 3, DATA, 1024), VIRTIO_BLK_S_OK);
	assert_int_equal(transfers, before + 1);
	assert_int_equal(*(uint8_t *)vdev_env_at(DATA + 1023), 0xab);
	assert_int_equal(request(77, 0, 0, 0), VIRTIO_BLK_S_UNSUPP);
	/* Data not in whole sectors goes through the bounce buffer: 3 buffers of 512 split 100/412/512. */
	uint32_t header[4] = { VIRTIO_BLK_T_IN, 0, 3, 0 };
	memcpy(vdev_env_at(HEADER), header, sizeof(header));
	table()[0] = (struct desc){ HEADER, 16, VRING_DESC_F_NEXT, 1 };
	table()[1] = (struct desc){ DATA, 100, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2 };
	table()[2] = (struct desc){ DATA + 0x1000, 412, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 3 };
	table()[3] = (struct desc){ STATUS, 1, VRING_DESC_F_WRITE, 0 };
	memset(vdev_env_at(DATA + 0x1000), 0, 412);
	publish(0);
	assert_int_equal(status_byte(), VIRTIO_BLK_S_OK);
	assert_int_equal(*(uint8_t *)vdev_env_at(DATA + 0x1000 + 411), 0xab);
	assert_int_equal(vdev_env.log_lines, 0);
	assert_true(vdev_env.irq_level); /* the interrupt is up until acknowledged */
	virtio_vdev_ack_interrupt(dev, VIRTIO_INTERRUPT_QUEUE);
	assert_false(vdev_env.irq_level);
}

static void test_failed_requests(void **state)
{
	(void)state;
	assert_true(driver_init(QSIZE, VIRTIO_F_VERSION_1));
	assert_int_equal(request(VIRTIO_BLK_T_IN, 0, VDEV_ENV_RAM_BASE + RAM_SIZE - 256, 512), VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(VIRTIO_BLK_T_IN, 0, 0x1000, 512), VIRTIO_BLK_S_IOERR); /* below RAM */
	assert_int_equal(request(VIRTIO_BLK_T_IN, DISK_SECTORS, DATA, 512), VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(VIRTIO_BLK_T_IN, DISK_SECTORS - 1, DATA, 1024), VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(VIRTIO_BLK_T_IN, UINT64_MAX, DATA, 512), VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(VIRTIO_BLK_T_OUT, 0, DATA, 100), VIRTIO_BLK_S_IOERR);
	assert_false(needs_reset());
	assert_true(vdev_env.log_lines > 0);

	teardown(NULL);
	setup(NULL);
	backend.read_only = true;
	dev->ops->destroy(dev);
	dev = virtio_blk_create(NULL, "vdb@ro", 6, &backend);
	assert_true(dev->device_features & VIRTIO_BLK_F_RO);
	assert_true(driver_init(QSIZE, VIRTIO_F_VERSION_1));
	disk[512] = 7;
	assert_int_equal(request(VIRTIO_BLK_T_OUT, 1, DATA, 512), VIRTIO_BLK_S_IOERR);
	assert_int_equal(disk[512], 7);
}

/* A broken ring: the device asks for a reset, serves nothing more, and works after one. */
static void expect_reset_and_recovery(const char *why_part)
{
	assert_true(needs_reset());
	if (!dev->fault || !strstr(dev->fault, why_part))
		fail_msg("expected \"%s\" in \"%s\"", why_part, dev->fault ? dev->fault : "(none)");
	assert_true(vdev_env.irq_level); /* the configuration-change interrupt */
	unsigned served = used16()[1];
	publish(0);
	assert_int_equal(used16()[1], served);
	assert_true(driver_init(QSIZE, VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT_DESC));
	assert_int_equal(request(VIRTIO_BLK_T_IN, 0, DATA, 512), VIRTIO_BLK_S_OK);
}

static void test_broken_rings(void **state)
{
	(void)state;
	uint64_t f = VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT_DESC;

	assert_true(driver_init(QSIZE, f));
	table()[0] = (struct desc){ HEADER, 16, VRING_DESC_F_NEXT, 1 };
	table()[1] = (struct desc){ DATA, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1 };
	publish(0);
	expect_reset_and_recovery("loops");

	table()[0] = (struct desc){ HEADER, 16, VRING_DESC_F_NEXT, QSIZE };
	publish(0);
	expect_reset_and_recovery("past the queue size");

	publish(QSIZE);
	expect_reset_and_recovery("past the queue size");

	avail()[1] = avail_idx + QSIZE + 1;
	virtio_vdev_notify(dev, 0);
	expect_reset_and_recovery("ran more than the queue size ahead");

	table()[0] = (struct desc){ DATA, 512, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1 };
	table()[1] = (struct desc){ HEADER, 16, 0, 0 };
	publish(0);
	expect_reset_and_recovery("follows a device-writable");

	struct desc *ind = vdev_env_at(INDIRECT);
	ind[0] = (struct desc){ INDIRECT + 0x100, 32, VRING_DESC_F_INDIRECT, 0 };
	table()[0] = (struct desc){ INDIRECT, 16, VRING_DESC_F_INDIRECT, 0 };
	publish(0);
	expect_reset_and_recovery("inside an indirect table");

	table()[0] = (struct desc){ INDIRECT, 16 * (QSIZE + 1), VRING_DESC_F_INDIRECT, 0 };
	publish(0);
	expect_reset_and_recovery("indirect table's length");

	table()[0] = (struct desc){ INDIRECT, 24, VRING_DESC_F_INDIRECT, 0 };
	publish(0);
	expect_reset_and_recovery("indirect table's length");

	table()[0] = (struct desc){ INDIRECT, 32, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1 };
	publish(0);
	expect_reset_and_recovery("NEXT set");

	table()[0] = (struct desc){ VDEV_ENV_RAM_BASE + RAM_SIZE, 32, VRING_DESC_F_INDIRECT, 0 };
	publish(0);
	expect_reset_and_recovery("outside the VM's RAM");

	ind[0] = (struct desc){ HEADER, 16, VRING_DESC_F_NEXT, 1 };
	ind[1] = (struct desc){ DATA, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1 };
	table()[0] = (struct desc){ INDIRECT, 32, VRING_DESC_F_INDIRECT, 0 };
	publish(0);
	expect_reset_and_recovery("indirect table's chain loops");

	/* Without the feature, an indirect descriptor is an error. */
	assert_true(driver_init(QSIZE, VIRTIO_F_VERSION_1));
	table()[0] = (struct desc){ INDIRECT, 32, VRING_DESC_F_INDIRECT, 0 };
	publish(0);
	expect_reset_and_recovery("without VIRTIO_F_INDIRECT_DESC");

	/* A request with no status byte at all. */
	table()[0] = (struct desc){ HEADER, 16, 0, 0 };
	publish(0);
	expect_reset_and_recovery("no status byte");

	/* More buffers than the device takes: in a 256-entry queue, a header descriptor followed by an
	 * indirect table of 256 (each part within the queue size, 257 in all). */
	assert_true(driver_init_at(256, f, VDEV_ENV_RAM_BASE + 0x10000));
	struct desc *big = vdev_env_at(VDEV_ENV_RAM_BASE + 0x10000);
	struct desc *big_table = vdev_env_at(VDEV_ENV_RAM_BASE + 0x20000);
	big[0] = (struct desc){ HEADER, 16, VRING_DESC_F_NEXT, 1 };
	big[1] = (struct desc){ VDEV_ENV_RAM_BASE + 0x20000, 256 * 16, VRING_DESC_F_INDIRECT, 0 };
	for (unsigned i = 0; i < 256; i++)
		big_table[i] = (struct desc){ DATA, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, (uint16_t)(i + 1) };
	big_table[255].flags = VRING_DESC_F_WRITE;
	avail()[2] = 0;
	avail()[1] = 1;
	virtio_vdev_notify(dev, 0);
	expect_reset_and_recovery("more buffers than the device takes");
}

static void test_bad_setup(void **state)
{
	(void)state;
	assert_false(driver_init(15, VIRTIO_F_VERSION_1));
	assert_true(needs_reset());
	assert_non_null(strstr(dev->fault, "power of two"));
	assert_false(driver_init(512, VIRTIO_F_VERSION_1));
	assert_true(driver_init(QSIZE, VIRTIO_F_VERSION_1));

	/* Rings outside RAM or misaligned. */
	assert_false(driver_init_at(QSIZE, VIRTIO_F_VERSION_1, VDEV_ENV_RAM_BASE + RAM_SIZE - 16));
	assert_non_null(strstr(dev->fault, "outside the VM's RAM"));
	assert_false(driver_init_at(QSIZE, VIRTIO_F_VERSION_1, DESC + 8));
	assert_non_null(strstr(dev->fault, "misaligned"));

	/* Features: only what was offered, and VERSION_1. */
	virtio_vdev_set_status(dev, 0);
	virtio_vdev_set_status(dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vdev_env_set_features(dev, VIRTIO_F_VERSION_1 | (1ull << 40));
	virtio_vdev_set_status(dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	assert_false(dev->status & VIRTIO_STATUS_FEATURES_OK);
	virtio_vdev_set_status(dev, 0);
	vdev_env_set_features(dev, 0);
	virtio_vdev_set_status(dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	assert_false(dev->status & VIRTIO_STATUS_FEATURES_OK);
	/* DRIVER_OK without FEATURES_OK. */
	virtio_vdev_set_status(dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK);
	assert_true(needs_reset());

	/* A notify for a queue that does not exist or is not ready. */
	assert_true(driver_init(QSIZE, VIRTIO_F_VERSION_1));
	virtio_vdev_notify(dev, 3);
	assert_true(needs_reset());
	assert_non_null(strstr(dev->fault, "not set up"));
}

static void test_interrupt_suppression(void **state)
{
	(void)state;
	/* Without EVENT_IDX: the driver's NO_INTERRUPT flag. */
	assert_true(driver_init(QSIZE, VIRTIO_F_VERSION_1));
	avail()[0] = VRING_AVAIL_F_NO_INTERRUPT;
	request(VIRTIO_BLK_T_IN, 0, DATA, 512);
	assert_int_equal(vdev_env.irq_raises, 0);
	avail()[0] = 0;
	request(VIRTIO_BLK_T_IN, 0, DATA, 512);
	assert_int_equal(vdev_env.irq_raises, 1);

	/* EVENT_IDX: an interrupt only when the used index passes used_event; avail_event tells the
	 * driver where to notify next. */
	assert_true(driver_init(QSIZE, VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX));
	unsigned raises = vdev_env.irq_raises;
	avail()[2 + QSIZE] = 2; /* used_event: interrupt me after the third */
	for (int i = 0; i < 3; i++) {
		request(VIRTIO_BLK_T_IN, 0, DATA, 512);
		assert_int_equal(used16()[2 + 4 * QSIZE], avail_idx); /* avail_event */
		assert_int_equal(vdev_env.irq_raises, raises + (i == 2));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_rings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_setup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupt_suppression, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
