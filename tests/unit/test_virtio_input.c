/* SPDX-License-Identifier: Apache-2.0 */
/* The virtio-input power button (src/vdev/virtio/virtio_input.c), driven as Linux's virtio_input
 * driver drives it, over guest RAM in a host buffer (vdev_env.c): the configuration space answers
 * what the driver selects, a press is four events in the eventq's buffers (held until the driver
 * posts them), and a driver that is not running is told apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/errno.h"
#include "vdev/virtio.h"
#include "vdev/virtio_input.h"
#include "vdev_env.h"

#define QSIZE 8
#define EVENTQ 0
#define RINGS(q) (VDEV_ENV_RAM_BASE + 0x1000 + (q) * 0x1000)
#define EVENTS (VDEV_ENV_RAM_BASE + 0x8000)
#define RAM_SIZE 0x10000

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static struct virtio_vdev *dev;
static uint16_t posted;

/* Event buffer i (8 bytes at EVENTS + 8 i) made available as descriptor i of the eventq. */
static void post_event_buffers(unsigned count, bool notify)
{
	struct desc *table = vdev_env_at(RINGS(EVENTQ));
	uint16_t *avail = vdev_env_at(RINGS(EVENTQ) + 0x400);
	for (unsigned i = 0; i < count; i++, posted++) {
		unsigned d = posted % QSIZE;
		table[d] = (struct desc){ EVENTS + 8 * d, 8, VRING_DESC_F_WRITE, 0 };
		avail[2 + posted % QSIZE] = (uint16_t)d;
	}
	avail[1] = posted;
	if (notify)
		virtio_vdev_notify(dev, EVENTQ);
}

static uint16_t used_idx(void) { return ((uint16_t *)vdev_env_at(RINGS(EVENTQ) + 0x800))[1]; }

/* Event i as the driver reads it: type, code, value (little-endian, struct virtio_input_event). */
static void assert_event(unsigned i, uint16_t type, uint16_t code, uint32_t value)
{
	const uint8_t *e = vdev_env_at(EVENTS + 8 * (i % QSIZE));
	assert_int_equal(e[0] | e[1] << 8, type);
	assert_int_equal(e[2] | e[3] << 8, code);
	assert_int_equal(e[4] | e[5] << 8 | e[6] << 16 | (uint32_t)e[7] << 24, value);
}

static bool driver_init(void)
{
	posted = 0;
	struct vdev_env_queue queues[2];
	for (unsigned q = 0; q < 2; q++)
		queues[q] = (struct vdev_env_queue){ QSIZE, RINGS(q), RINGS(q) + 0x400, RINGS(q) + 0x800 };
	return vdev_env_driver_init(dev, VIRTIO_F_VERSION_1, queues, 2);
}

/* What Linux's virtinput_cfg_select does: select, subsel, then the size. */
static unsigned select_config(uint8_t select, uint8_t subsel)
{
	virtio_vdev_config_write(dev, 0, 1, select);
	virtio_vdev_config_write(dev, 1, 1, subsel);
	return (unsigned)virtio_vdev_config_read(dev, 2, 1);
}

static int setup(void **state)
{
	(void)state;
	vdev_env_reset(RAM_SIZE);
	dev = virtio_power_button_create(NULL, "power", 5);
	assert_non_null(dev);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dev->ops->destroy(dev);
	return 0;
}

static void test_configuration_answers_the_selection(void **state)
{
	(void)state;
	assert_int_equal(dev->device_id, VIRTIO_ID_INPUT);
	assert_int_equal(dev->queue_count, 2);
	char name[32] = { 0 };
	unsigned size = select_config(0x01, 0); /* ID_NAME */
	assert_in_range(size, 1, sizeof(name) - 1);
	for (unsigned i = 0; i < size; i++)
		name[i] = (char)virtio_vdev_config_read(dev, 8 + i, 1);
	assert_string_equal(name, "Tessera power button");
	/* EV_BITS of EV_KEY: KEY_POWER (116) alone, in byte 14 bit 4. */
	assert_int_equal(select_config(0x11, 1), 15);
	for (unsigned i = 0; i < 15; i++)
		assert_int_equal(virtio_vdev_config_read(dev, 8 + i, 1), i == 14 ? 0x10 : 0);
	/* What the device does not have reads size 0 (5.8.5.1): EV_REL, ABS_INFO, ID_SERIAL. */
	assert_int_equal(select_config(0x11, 2), 0);
	assert_int_equal(select_config(0x12, 0), 0);
	assert_int_equal(select_config(0x02, 0), 0);
	/* A wide read at the union's start sees the bytes of the last selection (zeros here). */
	assert_int_equal(virtio_vdev_config_read(dev, 8, 4), 0);
}

static void test_a_press_is_four_events(void **state)
{
	(void)state;
	const char *why = NULL;
	assert_int_equal(virtio_power_button_press(dev, &why), -ENOTCONN); /* no driver yet */
	assert_non_null(why);
	assert_true(driver_init());
	post_event_buffers(2, true);
	assert_int_equal(virtio_power_button_press(dev, &why), 0);
	/* Two buffers: key down and its SYN_REPORT now; the rest when the driver posts more. */
	assert_int_equal(used_idx(), 2);
	assert_event(0, 1, 116, 1);
	assert_event(1, 0, 0, 0);
	assert_true(vdev_env.irq_level);
	post_event_buffers(4, true);
	assert_int_equal(used_idx(), 4);
	assert_event(2, 1, 116, 0);
	assert_event(3, 0, 0, 0);
	/* A reset forgets what was not taken: the next driver does not see an old press. */
	assert_int_equal(virtio_power_button_press(dev, &why), 0);
	assert_int_equal(used_idx(), 6);
	assert_true(driver_init());
	post_event_buffers(4, true);
	assert_int_equal(used_idx(), 0);
}

static void test_a_device_readable_event_buffer_asks_for_a_reset(void **state)
{
	(void)state;
	assert_true(driver_init());
	struct desc *table = vdev_env_at(RINGS(EVENTQ));
	uint16_t *avail = vdev_env_at(RINGS(EVENTQ) + 0x400);
	table[0] = (struct desc){ EVENTS, 8, 0, 0 };
	avail[2] = 0;
	avail[1] = 1;
	virtio_vdev_notify(dev, EVENTQ);
	const char *why;
	assert_int_equal(virtio_power_button_press(dev, &why), 0);
	assert_true(dev->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	assert_int_equal(virtio_power_button_press(dev, &why), -ENOTCONN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_configuration_answers_the_selection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_press_is_four_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_device_readable_event_buffer_asks_for_a_reset, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
