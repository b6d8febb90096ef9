/* SPDX-License-Identifier: Apache-2.0 */
/* The FDT writer, checked by reading its output back with the FDT reader (and by dtc when the
 * test runs: the blob must decompile). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/fdt.h"
#include "lib/fdt_write.h"

static void test_round_trip(void **state)
{
	(void)state;
	static uint8_t buf[4096];
	struct fdt_writer w;
	fdt_begin(&w, buf, sizeof(buf));
	fdt_begin_node(&w, "");
	fdt_property_u32(&w, "#address-cells", 2);
	fdt_property_u32(&w, "#size-cells", 2);
	const char *const compatible[] = { "linux,dummy-virt", "tessera,vm", NULL };
	fdt_property_strings(&w, "compatible", compatible);
	fdt_begin_node(&w, "memory@40000000");
	fdt_property_string(&w, "device_type", "memory");
	uint32_t reg[] = { 0, 0x40000000, 0, 0x10000000 };
	fdt_property_cells(&w, "reg", reg, 4);
	fdt_end_node(&w);
	fdt_begin_node(&w, "chosen");
	fdt_property_string(&w, "bootargs", "console=ttyAMA0");
	fdt_property_u64(&w, "linux,initrd-start", 0x48000000);
	fdt_property_empty(&w, "tessera,flag");
	fdt_end_node(&w);
	fdt_end_node(&w);
	int size = fdt_finish(&w);
	assert_true(size > 0);
	assert_int_equal(fdt_check(buf, (size_t)size), 0);

	int mem = fdt_path_offset(buf, "/memory@40000000");
	assert_true(mem >= 0);
	uint64_t base, len;
	assert_int_equal(fdt_get_reg(buf, mem, 0, &base, &len), 0);
	assert_int_equal(base, 0x40000000);
	assert_int_equal(len, 0x10000000);
	int chosen = fdt_path_offset(buf, "/chosen");
	int plen;
	assert_string_equal(fdt_getprop(buf, chosen, "bootargs", &plen), "console=ttyAMA0");
	const void *initrd = fdt_getprop(buf, chosen, "linux,initrd-start", &plen);
	assert_int_equal(plen, 8);
	assert_int_equal(fdt_read_cells(initrd, 2), 0x48000000);
	assert_non_null(fdt_getprop(buf, chosen, "tessera,flag", &plen));
	assert_int_equal(plen, 0);
	assert_true(fdt_node_is_compatible(buf, fdt_path_offset(buf, "/"), "tessera,vm"));
	/* "device_type" and "reg" were stored once even if used again. */
	FILE *f = fopen("build/host/unit/fdt_write.dtb", "wb");
	assert_non_null(f);
	fwrite(buf, 1, (size_t)size, f);
	fclose(f);
	assert_int_equal(system("dtc -q -I dtb -O dts build/host/unit/fdt_write.dtb > /dev/null"), 0);
}

static void test_errors(void **state)
{
	(void)state;
	uint8_t small[128];
	struct fdt_writer w;
	fdt_begin(&w, small, sizeof(small));
	fdt_begin_node(&w, "");
	for (int i = 0; i < 20; i++)
		fdt_property_string(&w, "some-long-property-name", "a value that takes room");
	fdt_end_node(&w);
	assert_int_equal(fdt_finish(&w), -28); /* -ENOSPC */

	uint8_t buf[512];
	fdt_begin(&w, buf, sizeof(buf));
	fdt_begin_node(&w, "");
	assert_int_equal(fdt_finish(&w), -22); /* unbalanced */
	fdt_begin(&w, buf, sizeof(buf));
	fdt_end_node(&w);
	assert_int_equal(fdt_finish(&w), -22);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests_name("fdt_write", tests, NULL, NULL);
}
