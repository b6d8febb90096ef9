/* SPDX-License-Identifier: Apache-2.0 */
/* The device bus: ordered insertion, overlap refusal, lookups at the edges, dispatch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vmm/vdev.h"

static uint64_t last_offset;
static unsigned last_width;
static struct vcpu *last_vcpu;

static int fake_read(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t *value)
{
	last_offset = offset;
	last_width = width;
	last_vcpu = vcpu;
	*value = dev->base + offset;
	return 0;
}

static int fake_write(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t value)
{
	(void)dev;
	last_offset = offset;
	last_width = width;
	return value == 0xbad ? -5 : 0;
}

static const struct vdev_ops ops = { .read = fake_read, .write = fake_write };

static void test_ordering_and_overlaps(void **state)
{
	(void)state;
	struct vdev_bus bus;
	struct vdev a = { "a", 0x9000000, 0x1000, &ops, NULL };
	struct vdev b = { "b", 0x8000000, 0x10000, &ops, NULL };
	struct vdev c = { "c", 0xa000000, 0x200, &ops, NULL };
	struct vdev overlap = { "overlap", 0x8fff000, 0x2000, &ops, NULL };
	struct vdev inside = { "inside", 0x8000100, 0x10, &ops, NULL };
	struct vdev empty = { "empty", 0x1000, 0, &ops, NULL };
	struct vdev wraps = { "wraps", UINT64_MAX - 10, 0x100, &ops, NULL };
	struct vdev *conflict = NULL;
	vdev_bus_init(&bus);
	assert_int_equal(vdev_bus_add(&bus, &a, NULL), 0);
	assert_int_equal(vdev_bus_add(&bus, &c, NULL), 0);
	assert_int_equal(vdev_bus_add(&bus, &b, NULL), 0);
	assert_ptr_equal(bus.devices[0], &b);
	assert_ptr_equal(bus.devices[1], &a);
	assert_ptr_equal(bus.devices[2], &c);
	assert_int_equal(vdev_bus_add(&bus, &overlap, &conflict), -17);
	assert_ptr_equal(conflict, &a);
	assert_int_equal(vdev_bus_add(&bus, &inside, &conflict), -17);
	assert_ptr_equal(conflict, &b);
	assert_int_equal(vdev_bus_add(&bus, &empty, NULL), -22);
	assert_int_equal(vdev_bus_add(&bus, &wraps, NULL), -22);
	assert_int_equal(bus.count, 3);
}

static void test_lookup_edges_and_dispatch(void **state)
{
	(void)state;
	struct vdev_bus bus;
	struct vdev a = { "a", 0x1000, 0x100, &ops, NULL };
	struct vcpu *fake_vcpu = (struct vcpu *)&bus; /* only passed through to the model */
	vdev_bus_init(&bus);
	assert_int_equal(vdev_bus_add(&bus, &a, NULL), 0);
	assert_null(vdev_bus_find(&bus, 0xfff, 1));
	assert_ptr_equal(vdev_bus_find(&bus, 0x1000, 8), &a);
	assert_ptr_equal(vdev_bus_find(&bus, 0x10ff, 1), &a);
	assert_null(vdev_bus_find(&bus, 0x10fd, 4)); /* runs past the end */
	assert_null(vdev_bus_find(&bus, 0x1100, 1));
	uint64_t v = 0;
	assert_int_equal(vdev_bus_access(&bus, fake_vcpu, 0x1010, 4, false, &v), EXIT_HANDLED);
	assert_int_equal(v, 0x1010);
	assert_int_equal(last_offset, 0x10);
	assert_int_equal(last_width, 4);
	assert_ptr_equal(last_vcpu, fake_vcpu);
	v = 0xbad;
	assert_int_equal(vdev_bus_access(&bus, fake_vcpu, 0x1020, 2, true, &v), EXIT_GUEST_FAULT);
	assert_int_equal(vdev_bus_access(&bus, fake_vcpu, 0x2000, 4, false, &v), EXIT_UNCLAIMED);
}

/* The recently found device answers first, but never for an address outside it. */
static void test_recent_device_is_only_a_hint(void **state)
{
	(void)state;
	struct vdev_bus bus;
	struct vdev a = { "a", 0x1000, 0x100, &ops, NULL }, b = { "b", 0x2000, 0x100, &ops, NULL };
	vdev_bus_init(&bus);
	assert_int_equal(vdev_bus_add(&bus, &a, NULL), 0);
	assert_int_equal(vdev_bus_add(&bus, &b, NULL), 0);
	assert_ptr_equal(vdev_bus_find(&bus, 0x1010, 4), &a);
	assert_ptr_equal(vdev_bus_find(&bus, 0x1010, 4), &a);
	assert_ptr_equal(vdev_bus_find(&bus, 0x2010, 4), &b);
	assert_null(vdev_bus_find(&bus, 0x1fff, 1));  /* between them */
	assert_null(vdev_bus_find(&bus, 0x20fe, 4));  /* runs past b's end */
	assert_null(vdev_bus_find(&bus, 0x0fff, 1));  /* below a */
	assert_ptr_equal(vdev_bus_find(&bus, 0x10ff, 1), &a);
	vdev_bus_init(&bus); /* a VM's devices recreated: nothing found stays */
	assert_null(vdev_bus_find(&bus, 0x10ff, 1));
}

static void test_full_bus(void **state)
{
	(void)state;
	static struct vdev devs[VDEV_BUS_MAX + 1];
	struct vdev_bus bus;
	vdev_bus_init(&bus);
	for (unsigned i = 0; i <= VDEV_BUS_MAX; i++) {
		devs[i] = (struct vdev){ "d", 0x1000 * (uint64_t)(VDEV_BUS_MAX - i), 0x1000, &ops, NULL };
		assert_int_equal(vdev_bus_add(&bus, &devs[i], NULL), i < VDEV_BUS_MAX ? 0 : -28);
	}
	for (unsigned i = 1; i < bus.count; i++)
		assert_true(bus.devices[i - 1]->base < bus.devices[i]->base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ordering_and_overlaps),
		cmocka_unit_test(test_lookup_edges_and_dispatch),
		cmocka_unit_test(test_recent_device_is_only_a_hint),
		cmocka_unit_test(test_full_bus),
	};
	return cmocka_run_group_tests_name("device_bus", tests, NULL, NULL);
}
