/* SPDX-License-Identifier: Apache-2.0 */
/* The device-tree reader and platform discovery, on a tree compiled by dtc from
 * tests/unit/data/sample.dts, plus corrupted copies of it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/errno.h"
#include "lib/fdt.h"
#include "kernel/platform.h"

static unsigned char *blob;
static size_t blob_size;

static int load(void **state)
{
	(void)state;
	FILE *f = fopen(SAMPLE_DTB, "rb");
	if (!f)
		return -1;
	blob = malloc(1 << 16);
	blob_size = fread(blob, 1, 1 << 16, f);
	fclose(f);
	return blob_size > 0 ? 0 : -1;
}

static int unload(void **state)
{
	(void)state;
	free(blob);
	return 0;
}

static void test_header(void **state)
{
	(void)state;
	assert_int_equal(fdt_check(blob, blob_size), 0);
	assert_int_equal(fdt_total_size(blob), blob_size);
	assert_int_equal(fdt_check(blob, blob_size - 1), -22); /* claims more than we have */
	unsigned char copy[64];
	memcpy(copy, blob, sizeof(copy));
	copy[0] ^= 1;
	assert_int_equal(fdt_check(copy, sizeof(copy)), -22);
	assert_int_equal(fdt_check(NULL, 100), -22);
}

static void test_paths_and_props(void **state)
{
	(void)state;
	int cpu100 = fdt_path_offset(blob, "/cpus/cpu@100");
	assert_true(cpu100 >= 0);
	assert_string_equal(fdt_node_name(blob, cpu100), "cpu@100");
	assert_true(fdt_path_offset(blob, "/chosen") >= 0);
	assert_true(fdt_path_offset(blob, "/soc/uart") >= 0); /* unit address may be omitted */
	assert_int_equal(fdt_path_offset(blob, "/nonexistent"), -2);
	assert_int_equal(fdt_path_offset(blob, "relative"), -22);
	int len;
	const char *model = fdt_getprop(blob, fdt_path_offset(blob, "/"), "model", &len);
	assert_string_equal(model, "Tessera test board");
	assert_int_equal(len, (int)strlen("Tessera test board") + 1);
	assert_null(fdt_getprop(blob, cpu100, "no-such-prop", &len));
	assert_int_equal(fdt_getprop_u32(blob, cpu100, "reg", 7), 0x100);
	assert_int_equal(fdt_getprop_u32(blob, cpu100, "missing", 7), 7);
}

static void test_tree_walk(void **state)
{
	(void)state;
	int cpus = fdt_path_offset(blob, "/cpus");
	int count = 0;
	for (int n = fdt_first_child(blob, cpus); n >= 0; n = fdt_next_sibling(blob, n))
		count++;
	assert_int_equal(count, 4);
	assert_int_equal(fdt_parent(blob, fdt_path_offset(blob, "/cpus/cpu@1")), cpus);
	int uart = fdt_find_compatible(blob, -1, "arm,primecell");
	assert_int_equal(uart, fdt_path_offset(blob, "/soc/uart@9000000"));
	assert_true(fdt_node_is_compatible(blob, uart, "arm,pl011"));
	assert_false(fdt_node_is_compatible(blob, uart, "arm,pl01"));
	assert_int_equal(fdt_find_phandle(blob, 0x8001), fdt_path_offset(blob, "/soc/interrupt-controller"));
	assert_false(fdt_node_is_available(blob, fdt_path_offset(blob, "/cpus/cpu@101")));
	assert_true(fdt_node_is_available(blob, fdt_path_offset(blob, "/soc/serial@10000000")));
}

static void test_reg(void **state)
{
	(void)state;
	uint64_t addr, size;
	int mem = fdt_path_offset(blob, "/memory@40000000");
	assert_int_equal(fdt_get_reg(blob, mem, 1, &addr, &size), 0);
	assert_int_equal(addr, 0x100000000ULL);
	assert_int_equal(size, 0x10000000ULL);
	assert_int_equal(fdt_get_reg(blob, mem, 2, &addr, &size), -2);
	int gic = fdt_path_offset(blob, "/soc/interrupt-controller@8000000");
	assert_int_equal(fdt_get_reg(blob, gic, 1, &addr, &size), 0); /* 1+1 cells under /soc */
	assert_int_equal(addr, 0x80a0000);
	assert_int_equal(size, 0xf60000);
}

static void test_translate_through_ranges(void **state)
{
	(void)state;
	uint64_t addr, size;
	int timer = fdt_path_offset(blob, "/bus/timer");
	assert_int_equal(fdt_translate_reg(blob, timer, 0, &addr, &size), 0);
	assert_int_equal(addr, 0x20001000);
	assert_int_equal(size, 0x100);
	int dev = fdt_path_offset(blob, "/bus/inner/dev");
	assert_int_equal(fdt_translate_reg(blob, dev, 0, &addr, &size), 0); /* 0x10 + 0x4800 + 0x20000000 */
	assert_int_equal(addr, 0x20004810);
	/* Outside every window of its bus, and under a bus without ranges: no CPU address. */
	assert_int_equal(fdt_translate_reg(blob, fdt_path_offset(blob, "/bus/inner/far"), 0, &addr, &size), -ERANGE);
	assert_int_equal(fdt_translate_reg(blob, fdt_path_offset(blob, "/nobus/dev"), 0, &addr, &size), -ERANGE);
	/* A child of the root and one of a bus with an empty ranges are CPU addresses already. */
	assert_int_equal(fdt_translate_reg(blob, fdt_path_offset(blob, "/memory"), 1, &addr, &size), 0);
	assert_int_equal(addr, 0x100000000ULL);
	assert_int_equal(fdt_translate_reg(blob, fdt_path_offset(blob, "/reserved-memory/firmware"), 0, &addr, &size), 0);
	assert_int_equal(addr, 0x5f000000);
	assert_int_equal(fdt_translate_reg(blob, timer, 1, &addr, &size), -ENOENT);
}

static void test_properties_in_order(void **state)
{
	(void)state;
	const char *names[8];
	int count = 0, len = 0;
	int timer = fdt_path_offset(blob, "/bus/timer");
	for (int p = fdt_first_property(blob, timer); p >= 0 && count < 8; p = fdt_next_property(blob, p)) {
		const void *value = fdt_property_at(blob, p, &names[count], &len);
		assert_non_null(value);
		count++;
	}
	assert_int_equal(count, 2);
	assert_string_equal(names[0], "reg");
	assert_string_equal(names[1], "clocks");
	assert_int_equal(len, 4);
	/* A node with no properties before its children. */
	assert_int_equal(fdt_first_property(blob, fdt_path_offset(blob, "/")), fdt_first_property(blob, 0));
	assert_int_equal(fdt_max_phandle(blob), 0x9000);
}

static void test_platform_discovery(void **state)
{
	(void)state;
	struct boot_info info;
	memset(&info, 0, sizeof(info));
	assert_int_equal(platform_from_fdt(&info, blob, 0x1), 0);
	assert_string_equal(info.platform_name, "Tessera test board");
	assert_string_equal(info.cmdline, "console=ttyAMA0");
	assert_int_equal(info.ram_count, 2);
	assert_int_equal(info.ram[0].base, 0x40000000);
	assert_int_equal(info.ram[0].size, 0x20000000);
	/* The blob itself, the rsvmap entry and the reserved-memory child. */
	assert_int_equal(info.reserved_count, 3);
	assert_int_equal(info.reserved[1].base, 0x48000000);
	assert_int_equal(info.reserved[2].base, 0x5f000000);
	assert_int_equal(info.reserved_lost, 0);
	/* The booting CPU becomes CPU 0; the disabled one is left out. */
	assert_int_equal(info.cpu_count, 3);
	assert_int_equal(info.cpu_hwids[0], 0x1);
	assert_int_equal(info.cpu_hwids[1], 0x0);
	assert_int_equal(info.cpu_hwids[2], 0x100);
	assert_int_equal(info.console.kind, UART_PL011);
	assert_int_equal(info.console.base, 0x9000000);
	assert_int_equal(info.console.irq, 33);
	assert_string_equal(info.irqchip.compatible, "arm,gic-v3");
	assert_int_equal(info.irqchip.reg_count, 2);
	assert_int_equal(info.irqchip.regs[1], 0x80a0000);
	/* A boot CPU the tree does not list is an error. */
	memset(&info, 0, sizeof(info));
	assert_int_equal(platform_from_fdt(&info, blob, 0x7), -22);
}

/* A reserved region past the table is not dropped unseen: it is counted, for mm_init to refuse. */
static void test_reserved_overflow_is_counted(void **state)
{
	(void)state;
	struct boot_info info;
	memset(&info, 0, sizeof(info));
	for (unsigned i = 0; i < MAX_MEM_REGIONS + 2; i++)
		platform_add_reserved(&info, 0x40000000 + i * 0x1000, 0x1000, "test");
	assert_int_equal(info.reserved_count, MAX_MEM_REGIONS);
	assert_int_equal(info.reserved_lost, 2);
	assert_int_equal(info.reserved[MAX_MEM_REGIONS - 1].base, 0x40000000 + (MAX_MEM_REGIONS - 1) * 0x1000);
}

static void test_corrupt_blobs_never_crash(void **state)
{
	(void)state;
	/* Flip every byte of the structure block in turn and walk the whole tree: the reader must
	 * stay inside the blob (ASan checks) and terminate. */
	unsigned char *copy = malloc(blob_size);
	for (size_t i = 40; i < blob_size; i += 3) {
		memcpy(copy, blob, blob_size);
		copy[i] ^= 0xff;
		if (fdt_check(copy, blob_size) < 0)
			continue;
		int guard = 0;
		for (int n = fdt_next_node(copy, -1, NULL); n >= 0 && guard < 1000; n = fdt_next_node(copy, n, NULL), guard++) {
			int len;
			fdt_node_name(copy, n);
			fdt_getprop(copy, n, "reg", &len);
			fdt_node_is_compatible(copy, n, "arm,pl011");
			uint64_t address, size;
			/* Whether a corrupt reg translates is no matter: that it stays in the blob is. */
			(void)fdt_translate_reg(copy, n, 0, &address, &size);
			int props = 0;
			for (int p = fdt_first_property(copy, n); p >= 0 && props < 100; p = fdt_next_property(copy, p), props++) {
				const char *name;
				fdt_property_at(copy, p, &name, &len);
			}
		}
		struct boot_info info;
		memset(&info, 0, sizeof(info));
		(void)platform_from_fdt(&info, copy, 0); /* it may refuse the blob, but not read outside it */
	}
	free(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_paths_and_props),
		cmocka_unit_test(test_tree_walk),
		cmocka_unit_test(test_reg),
		cmocka_unit_test(test_translate_through_ranges),
		cmocka_unit_test(test_properties_in_order),
		cmocka_unit_test(test_platform_discovery),
		cmocka_unit_test(test_reserved_overflow_is_counted),
		cmocka_unit_test(test_corrupt_blobs_never_crash),
	};
	return cmocka_run_group_tests_name("fdt", tests, load, unload);
}
