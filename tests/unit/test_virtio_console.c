/* SPDX-License-Identifier: Apache-2.0 */
/* The guest-facing virtio console (src/vdev/virtio/virtio_console.c), driven as a driver would
 * through the transport-neutral register operations over guest RAM in a host buffer (vdev_env.c):
 * output reaches the VM's console, typed input lands in the buffers the driver posts (at once, or
 * when it posts them), and a driver that breaks the rules gets DEVICE_NEEDS_RESET and a working
 * device after the reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vdev/virtio.h"
#include "vdev/virtio_console.h"
#include "vdev_env.h"

#define QSIZE 8
#define RECEIVEQ 0
#define TRANSMITQ 1
/* Each queue's rings: queue q's at RINGS(q) + 0 (descriptors), + 0x400 (available), + 0x800 (used). */
#define RINGS(q) (VDEV_ENV_RAM_BASE + 0x1000 + (q) * 0x1000)
#define INDIRECT (VDEV_ENV_RAM_BASE + 0x3000)
#define DATA (VDEV_ENV_RAM_BASE + 0x8000)
#define RAM_SIZE 0x40000

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static struct virtio_vdev *dev;
static uint16_t avail_idx[2];

static struct desc *table(unsigned q) { return vdev_env_at(RINGS(q)); }
/* The available ring: flags, idx, ring[QSIZE], used_event; the used ring: flags, idx,
 * {u32 id, u32 len}[QSIZE], avail_event. */
static uint16_t *avail(unsigned q) { return vdev_env_at(RINGS(q) + 0x400); }
static uint16_t *used16(unsigned q) { return vdev_env_at(RINGS(q) + 0x800); }
static uint16_t used_idx(unsigned q) { return used16(q)[1]; }
static uint32_t used_len(unsigned q, unsigned i)
{
	return ((uint32_t *)vdev_env_at(RINGS(q) + 0x804))[2 * (i % QSIZE) + 1];
}
static uint16_t avail_event(unsigned q) { return used16(q)[2 + 4 * QSIZE]; }
static bool needs_reset(void) { return dev->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET; }
static char *data(unsigned offset) { return vdev_env_at(DATA + offset); }

/* Reset and bring both queues up with these features; whether the device runs. */
static bool driver_init(uint64_t features)
{
	avail_idx[0] = avail_idx[1] = 0;
	struct vdev_env_queue queues[2];
	for (unsigned q = 0; q < 2; q++)
		queues[q] = (struct vdev_env_queue){ QSIZE, RINGS(q), RINGS(q) + 0x400, RINGS(q) + 0x800 };
	return vdev_env_driver_init(dev, features, queues, 2);
}

/* Makes the chain at descriptor `head` available on queue q, without notifying. */
static void post(unsigned q, uint16_t head)
{
	avail(q)[2 + avail_idx[q] % QSIZE] = head;
	avail_idx[q]++;
	avail(q)[1] = avail_idx[q];
}

static void publish(unsigned q, uint16_t head)
{
	post(q, head);
	virtio_vdev_notify(dev, q);
}

/* Output: `text` in one device-readable buffer at descriptor 0 of the transmitq. */
static void transmit(const char *text)
{
	size_t n = strlen(text);
	memcpy(data(0x1000), text, n);
	table(TRANSMITQ)[0] = (struct desc){ DATA + 0x1000, (uint32_t)n, 0, 0 };
	publish(TRANSMITQ, 0);
}

/* A receive buffer of `length` bytes at data(offset), as descriptor `index` of the receiveq. */
static void receive_buffer(uint16_t index, unsigned offset, uint32_t length, bool notify)
{
	memset(data(offset), 0, length);
	table(RECEIVEQ)[index] = (struct desc){ DATA + offset, length, VRING_DESC_F_WRITE, 0 };
	if (notify)
		publish(RECEIVEQ, index);
	else
		post(RECEIVEQ, index);
}

static void type(const char *text)
{
	for (; *text; text++)
		virtio_console_input(dev, *text);
}

static int setup(void **state)
{
	(void)state;
	vdev_env_reset(RAM_SIZE);
	dev = virtio_console_create(NULL, "hvc0", 5);
	assert_non_null(dev);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dev->ops->destroy(dev);
	return 0;
}

static void test_what_is_offered(void **state)
{
	(void)state;
	assert_int_equal(dev->device_id, VIRTIO_ID_CONSOLE);
	assert_int_equal(dev->queue_count, 2); /* port 0's receiveq and transmitq, no control queues */
	assert_int_equal(dev->device_features, VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT_DESC | VIRTIO_F_EVENT_IDX);
	/* No SIZE, MULTIPORT or EMERG_WRITE: the configuration (5.3.4, 12 bytes) reads as zeros. */
	assert_int_equal(dev->ops->config_size, 12);
	assert_int_equal(virtio_vdev_config_read(dev, 0, 4), 0);
	assert_int_equal(virtio_vdev_config_read(dev, 8, 4), 0);
	/* A driver asking for MULTIPORT (bit 1) does not get FEATURES_OK. */
	virtio_vdev_set_status(dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vdev_env_set_features(dev, VIRTIO_F_VERSION_1 | (1ull << 1));
	virtio_vdev_set_status(dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	assert_false(dev->status & VIRTIO_STATUS_FEATURES_OK);
}

static void test_output_reaches_the_console(void **state)
{
	(void)state;
	assert_true(driver_init(VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT_DESC));
	transmit("hello from hvc0\n");
	assert_string_equal(vdev_env.console, "hello from hvc0\n");
	assert_int_equal(used_idx(TRANSMITQ), 1);
	assert_int_equal(used_len(TRANSMITQ, 0), 0); /* the device wrote nothing into it */
	assert_true(vdev_env.irq_level);
	virtio_vdev_ack_interrupt(dev, VIRTIO_INTERRUPT_QUEUE);
	assert_false(vdev_env.irq_level);

	/* A chain of two buffers, then the same through an indirect table. */
	memcpy(data(0x100), "two ", 4);
	memcpy(data(0x200), "parts\n", 6);
	table(TRANSMITQ)[1] = (struct desc){ DATA + 0x100, 4, VRING_DESC_F_NEXT, 2 };
	table(TRANSMITQ)[2] = (struct desc){ DATA + 0x200, 6, 0, 0 };
	publish(TRANSMITQ, 1);
	struct desc *ind = vdev_env_at(INDIRECT);
	ind[0] = table(TRANSMITQ)[1];
	ind[0].next = 1;
	ind[1] = table(TRANSMITQ)[2];
	table(TRANSMITQ)[3] = (struct desc){ INDIRECT, 2 * sizeof(struct desc), VRING_DESC_F_INDIRECT, 0 };
	publish(TRANSMITQ, 3);
	assert_string_equal(vdev_env.console, "hello from hvc0\ntwo parts\ntwo parts\n");
	assert_int_equal(used_idx(TRANSMITQ), 3);
	assert_int_equal(vdev_env.log_lines, 0);

	/* Several buffers made available before one notify are all served by it. */
	table(TRANSMITQ)[4] = (struct desc){ DATA + 0x100, 4, 0, 0 };
	post(TRANSMITQ, 4);
	post(TRANSMITQ, 4);
	publish(TRANSMITQ, 2);
	assert_string_equal(vdev_env.console + 36, "two two parts\n");
	assert_int_equal(used_idx(TRANSMITQ), 6);
}

static void test_output_bounded(void **state)
{
	(void)state;
	assert_true(driver_init(VIRTIO_F_VERSION_1));
	/* 96 KiB in one buffer: 64 KiB shown, the buffer returned, one log line. */
	memset(data(0), 'x', 96 * 1024);
	table(TRANSMITQ)[0] = (struct desc){ DATA, 96 * 1024, 0, 0 };
	publish(TRANSMITQ, 0);
	assert_int_equal(vdev_env.console_length, 64 * 1024);
	assert_int_equal(used_idx(TRANSMITQ), 1);
	assert_int_equal(vdev_env.log_lines, 1);
	assert_false(needs_reset());
	/* The budget is per notify: the next one is shown whole. */
	transmit("next\n");
	assert_int_equal(vdev_env.console_length, 64 * 1024 + 5);

	/* A buffer outside the VM's RAM: returned, nothing shown, the device goes on. */
	table(TRANSMITQ)[0] = (struct desc){ VDEV_ENV_RAM_BASE + RAM_SIZE, 16, 0, 0 };
	publish(TRANSMITQ, 0);
	assert_int_equal(vdev_env.console_length, 64 * 1024 + 5);
	assert_int_equal(used_idx(TRANSMITQ), 3);
	assert_false(needs_reset());
	transmit("still here\n");
	assert_int_equal(vdev_env.console_length, 64 * 1024 + 16);
}

static void test_input_into_posted_buffers(void **state)
{
	(void)state;
	assert_true(driver_init(VIRTIO_F_VERSION_1));
	receive_buffer(0, 0, 16, true);
	receive_buffer(1, 0x100, 16, true);
	assert_int_equal(used_idx(RECEIVEQ), 0); /* nothing typed: the buffers wait */
	unsigned raises = vdev_env.irq_raises;
	type("l");
	assert_int_equal(used_idx(RECEIVEQ), 1);
	assert_int_equal(used_len(RECEIVEQ, 0), 1);
	assert_string_equal(data(0), "l");
	assert_int_equal(vdev_env.irq_raises, raises + 1);
	virtio_vdev_ack_interrupt(dev, VIRTIO_INTERRUPT_QUEUE);
	type("s");
	assert_string_equal(data(0x100), "s");
	assert_int_equal(used_idx(RECEIVEQ), 2);

	/* No buffer left: input is held until the driver posts one and notifies. */
	type("\r");
	assert_int_equal(used_idx(RECEIVEQ), 2);
	receive_buffer(2, 0x200, 16, false);
	assert_int_equal(used_idx(RECEIVEQ), 2);
	virtio_vdev_notify(dev, RECEIVEQ);
	assert_int_equal(used_idx(RECEIVEQ), 3);
	assert_int_equal(used_len(RECEIVEQ, 2), 1);
	assert_string_equal(data(0x200), "\r");
	assert_string_equal(vdev_env.console, ""); /* input is not echoed by the device */
}

static void test_input_held_before_the_driver(void **state)
{
	(void)state;
	/* Typed before the driver is up: the first VIRTIO_CONSOLE_INPUT_HELD bytes are kept. */
	char typed[VIRTIO_CONSOLE_INPUT_HELD + 11];
	for (unsigned i = 0; i < sizeof(typed) - 1; i++)
		typed[i] = (char)('A' + i % 26);
	typed[sizeof(typed) - 1] = '\0';
	type(typed);
	assert_true(driver_init(VIRTIO_F_VERSION_1));
	/* A small buffer first: the rest stays held, in order. */
	receive_buffer(0, 0, 40, true);
	assert_int_equal(used_len(RECEIVEQ, 0), 40);
	assert_memory_equal(data(0), typed, 40);
	/* More typed now wraps round the held ring. */
	type("0123456789");
	receive_buffer(1, 0x100, 128, true);
	assert_int_equal(used_len(RECEIVEQ, 1), VIRTIO_CONSOLE_INPUT_HELD - 40 + 10);
	assert_memory_equal(data(0x100), typed + 40, VIRTIO_CONSOLE_INPUT_HELD - 40);
	assert_memory_equal(data(0x100) + VIRTIO_CONSOLE_INPUT_HELD - 40, "0123456789", 10);
	assert_int_equal(used_idx(RECEIVEQ), 2);
}

static void test_input_buffer_outside_ram(void **state)
{
	(void)state;
	assert_true(driver_init(VIRTIO_F_VERSION_1));
	/* A receive buffer the device cannot write goes back empty; the byte waits for the next. */
	table(RECEIVEQ)[0] = (struct desc){ VDEV_ENV_RAM_BASE + RAM_SIZE - 4, 16, VRING_DESC_F_WRITE, 0 };
	publish(RECEIVEQ, 0);
	type("k");
	assert_int_equal(used_idx(RECEIVEQ), 1);
	assert_int_equal(used_len(RECEIVEQ, 0), 0);
	assert_int_equal(vdev_env.log_lines, 1);
	assert_false(needs_reset());
	receive_buffer(1, 0, 16, true);
	assert_int_equal(used_idx(RECEIVEQ), 2);
	assert_string_equal(data(0), "k");
}

static void test_input_notification_not_lost(void **state)
{
	(void)state;
	/* EVENT_IDX: once the device has used every buffer, avail_event asks the driver to notify
	 * when it adds the next one (2.7.10), or held input would wait for ever. */
	assert_true(driver_init(VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX));
	receive_buffer(0, 0, 16, true);
	receive_buffer(1, 0x100, 16, true);
	type("a");
	virtio_vdev_ack_interrupt(dev, VIRTIO_INTERRUPT_QUEUE);
	type("b"); /* each character goes as soon as there is a buffer for it */
	assert_string_equal(data(0), "a");
	assert_string_equal(data(0x100), "b");
	/* The driver's used_event (0) asked for an interrupt after the first buffer only. */
	assert_int_equal(vdev_env.irq_raises, 1);
	type("c");
	assert_int_equal(used_idx(RECEIVEQ), 2);
	/* Held: avail_event says "notify me when you add the next one", which the driver's
	 * vring_need_event(avail_event, new, old) check sees. */
	assert_int_equal(avail_event(RECEIVEQ), avail_idx[RECEIVEQ]);
	receive_buffer(2, 0x200, 16, true);
	assert_string_equal(data(0x200), "c");
	assert_int_equal(avail_event(RECEIVEQ), avail_idx[RECEIVEQ]);
}

/* A broken ring: the device asks for a reset, serves nothing more, and works after one. */
static void expect_reset_and_recovery(const char *why_part)
{
	assert_true(needs_reset());
	if (!dev->fault || !strstr(dev->fault, why_part))
		fail_msg("expected \"%s\" in \"%s\"", why_part, dev->fault ? dev->fault : "(none)");
	assert_true(vdev_env.irq_level); /* the configuration-change interrupt */
	unsigned shown = vdev_env.console_length, served = used_idx(TRANSMITQ);
	transmit("ignored\n");
	assert_int_equal(vdev_env.console_length, shown);
	assert_int_equal(used_idx(TRANSMITQ), served);
	assert_true(driver_init(VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT_DESC));
	transmit("again\n");
	assert_int_equal(vdev_env.console_length, shown + 6);
	type("z"); /* held: no receive buffer yet */
	receive_buffer(0, 0, 16, true);
	/* Everything held goes into the one buffer: what was typed when the ring broke, then "z". */
	size_t n = strlen(data(0));
	assert_true(n >= 1 && data(0)[n - 1] == 'z');
	assert_int_equal(used_len(RECEIVEQ, 0), n);
}

static void test_broken_rings(void **state)
{
	(void)state;
	assert_true(driver_init(VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT_DESC));
	/* 5.3.6.1: no device-writable buffer in a transmitq, no device-readable one in a receiveq. */
	table(TRANSMITQ)[0] = (struct desc){ DATA, 16, VRING_DESC_F_WRITE, 0 };
	publish(TRANSMITQ, 0);
	assert_int_equal(vdev_env.console_length, 0);
	expect_reset_and_recovery("device-writable buffer in the transmitq");

	table(RECEIVEQ)[0] = (struct desc){ DATA, 16, 0, 0 };
	publish(RECEIVEQ, 0);
	type("q");
	expect_reset_and_recovery("device-readable buffer in the receiveq");

	/* A loop in the transmitq, a descriptor past the queue, an index running ahead. */
	table(TRANSMITQ)[0] = (struct desc){ DATA, 16, VRING_DESC_F_NEXT, 1 };
	table(TRANSMITQ)[1] = (struct desc){ DATA, 16, VRING_DESC_F_NEXT, 0 };
	publish(TRANSMITQ, 0);
	expect_reset_and_recovery("loops");

	publish(TRANSMITQ, QSIZE);
	expect_reset_and_recovery("past the queue size");

	receive_buffer(0, 0, 16, false);
	avail(RECEIVEQ)[1] = QSIZE + 2;
	type("r");
	expect_reset_and_recovery("ran more than the queue size ahead");

	/* An indirect table inside an indirect table. */
	struct desc *ind = vdev_env_at(INDIRECT);
	ind[0] = (struct desc){ INDIRECT + 0x100, 32, VRING_DESC_F_INDIRECT, 0 };
	table(TRANSMITQ)[0] = (struct desc){ INDIRECT, 16, VRING_DESC_F_INDIRECT, 0 };
	publish(TRANSMITQ, 0);
	expect_reset_and_recovery("inside an indirect table");

	/* A notify for a queue the device does not have (no control queues without MULTIPORT). */
	virtio_vdev_notify(dev, 2);
	expect_reset_and_recovery("not set up");

	/* Input typed while the device waits for its reset is held, not written. */
	receive_buffer(1, 0x100, 16, false);
	table(TRANSMITQ)[0] = (struct desc){ DATA, 16, VRING_DESC_F_WRITE, 0 };
	publish(TRANSMITQ, 0);
	assert_true(needs_reset());
	type("h");
	assert_int_equal(used_idx(RECEIVEQ), 1);
	assert_true(driver_init(VIRTIO_F_VERSION_1));
	receive_buffer(0, 0, 16, true);
	assert_string_equal(data(0), "h");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_what_is_offered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_reaches_the_console, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_into_posted_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_held_before_the_driver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_buffer_outside_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_notification_not_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_rings, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
