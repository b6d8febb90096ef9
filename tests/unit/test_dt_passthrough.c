/* SPDX-License-Identifier: Apache-2.0 */
/* Device-tree passthrough (src/vmm/dt_passthrough.c) over tests/unit/data/board.dts: which host
 * nodes a VM gets for AxVisor's ["/"] with an excluded PCIe host, which it gets for one node, why
 * the others are refused, and what the guest tree then holds. The kernel's log and allocator are
 * replaced by the C library's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/log.h"
#include "lib/errno.h"
#include "lib/fdt.h"
#include "lib/fdt_write.h"
#include "vmm/dt_passthrough.h"

static char log_text[4096];

void log_write(int level, const char *file, int line, const char *fmt, ...)
{
	(void)file;
	(void)line;
	size_t used = strlen(log_text);
	used += snprintf(log_text + used, sizeof(log_text) - used, "%s ", level == LOG_LEVEL_ERROR ? "E" : "W");
	va_list ap;
	va_start(ap, fmt);
	used += vsnprintf(log_text + used, sizeof(log_text) - used, fmt, ap);
	va_end(ap);
	snprintf(log_text + used, sizeof(log_text) - used, "\n");
}

void *kzalloc(size_t size) { return calloc(1, size ? size : 1); }
void kfree(void *p) { free(p); }

static unsigned char *board;

static int load(void **state)
{
	(void)state;
	FILE *f = fopen(BOARD_DTB, "rb");
	if (!f)
		return -1;
	board = malloc(1 << 16);
	size_t n = fread(board, 1, 1 << 16, f);
	fclose(f);
	return n > 0 ? 0 : -1;
}

static int unload(void **state)
{
	(void)state;
	free(board);
	return 0;
}

/* The arch's rule for the tests: the timer and the test finisher are the hypervisor's. */
static bool arch_kept(const void *fdt, int node)
{
	return fdt_node_is_compatible(fdt, node, "arm,armv8-timer") || fdt_node_is_compatible(fdt, node, "sifive,test1");
}

static const struct dt_window disk = { 0xa000000, 0x200, "the hypervisor's disk" };

static struct vm_config config_passing(const char *path, const char *excluded)
{
	struct vm_config c;
	memset(&c, 0, sizeof(c));
	c.file_name = "vm.toml";
	c.base.id.value = 1;
	c.base.name.value = "linux";
	c.devices.passthrough_devices[0] = (struct vm_passthrough_device){ .name = path, .is_device_tree_path = true, .line = 12 };
	c.devices.passthrough_device_count = 1;
	if (excluded) {
		c.devices.excluded_devices[0] = (struct vm_excluded_device){ .path = excluded, .line = 13 };
		c.devices.excluded_device_count = 1;
	}
	return c;
}

static bool passed(const struct dt_passthrough *p, const char *path)
{
	int node = fdt_path_offset(board, path);
	assert_true(node >= 0);
	for (unsigned i = 0; i < p->count; i++)
		if (p->offsets[i] == node)
			return dt_passthrough_is_passed(p, i);
	fail();
	return false;
}

static struct dt_passthrough_rules rules(void)
{
	return (struct dt_passthrough_rules){ .kept = arch_kept, .irqchip = fdt_path_offset(board, "/intc"),
					      .busy = &disk, .busy_count = 1 };
}

static void test_the_whole_machine_less_what_is_kept(void **state)
{
	(void)state;
	struct vm_config c = config_passing("/", "/pcie@10000000");
	struct dt_passthrough_rules r = rules();
	struct dt_passthrough p;
	log_text[0] = '\0';
	assert_int_equal(dt_passthrough_select(&p, board, &c, &r), 0);
	const char *yes[] = { "/apb-pclk", "/uart@9000000", "/pl061@9030000", "/gpio-keys", "/gpio-keys/poweroff",
			      "/soc", "/soc/virtio@1000", "/soc/virtio@1200", "/soc/rtc@2000", "/soc/serial@3000" };
	const char *no[] = { "/psci", "/chosen", "/aliases", "/memory@40000000", "/cpus", "/cpus/cpu@0", "/intc",
			     "/intc/its@8080000", "/timer", "/test@100000", "/poweroff", "/soc/virtio@0",
			     "/soc/virtio@200", "/pcie@10000000" };
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(passed(&p, yes[i]));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(passed(&p, no[i]));
	assert_int_equal(p.passed, 10);
	assert_int_equal(p.irqchip_phandle, 0x10);
	assert_int_equal(p.max_phandle, 0x22);
	/* The disk's page rules out both transports in it; the power-off syscon needs the finisher. */
	assert_string_equal(log_text,
			    "W VM[1] linux: host node 'virtio@0' is not passed through: its page at 0xa000000 is the hypervisor's disk's\n"
			    "W VM[1] linux: host node 'virtio@200' is not passed through: its page at 0xa000000 is the hypervisor's disk's\n"
			    "W VM[1] linux: host node 'poweroff' is not passed through: it refers to 'test@100000', which the VM does not get\n");

	/* The guest tree: the passed nodes under the VM's own root, properties as the host has them. */
	static uint8_t guest[8192];
	struct fdt_writer w;
	fdt_begin(&w, guest, sizeof(guest));
	fdt_begin_node(&w, "");
	dt_passthrough_write(&p, &w);
	fdt_end_node(&w);
	assert_true(fdt_finish(&w) > 0);
	int len;
	int uart = fdt_path_offset(guest, "/uart@9000000");
	assert_true(uart >= 0);
	assert_int_equal(fdt_getprop_u32(guest, uart, "clocks", 0), 0x20);
	assert_non_null(fdt_getprop(guest, uart, "interrupts", &len));
	assert_int_equal(len, 12);
	assert_true(fdt_path_offset(guest, "/soc/virtio@1000") >= 0);
	assert_true(fdt_path_offset(guest, "/gpio-keys/poweroff") >= 0);
	assert_int_equal(fdt_path_offset(guest, "/soc/virtio@0"), -ENOENT);
	assert_int_equal(fdt_path_offset(guest, "/intc"), -ENOENT);
	assert_int_equal(fdt_path_offset(guest, "/pcie@10000000"), -ENOENT);
	assert_int_equal(fdt_path_offset(guest, "/poweroff"), -ENOENT);
	dt_passthrough_free(&p);
}

static int note_interrupt(void *ctx, int node, const void *specifier)
{
	char *text = ctx;
	const uint8_t *cells = specifier;
	size_t used = strlen(text);
	snprintf(text + used, 256 - used, "%s:%u,%u,%u ", fdt_node_name(board, node), fdt_be32(cells),
		 fdt_be32(cells + 4), fdt_be32(cells + 8));
	return 0;
}

static void test_interrupts_of_passed_nodes(void **state)
{
	(void)state;
	struct vm_config c = config_passing("/", "/pcie@10000000");
	struct dt_passthrough_rules r = rules();
	struct dt_passthrough p;
	assert_int_equal(dt_passthrough_select(&p, board, &c, &r), 0);
	char text[256] = "";
	assert_int_equal(dt_passthrough_for_each_interrupt(&p, note_interrupt, text), 0);
	/* Not the timer's (kept), nor the dropped virtio transports', nor gpio-keys' (none), nor the
	 * disabled serial port's. */
	assert_string_equal(text, "uart@9000000:0,1,4 pl061@9030000:0,7,4 virtio@1000:0,24,1 ");
	dt_passthrough_free(&p);
}

static void test_an_excluded_node_takes_its_page_along(void **state)
{
	(void)state;
	/* Excluded means unmapped: a node sharing its page cannot be mapped either. */
	struct vm_config c = config_passing("/", "/soc/virtio@1000");
	struct dt_passthrough_rules r = rules();
	r.busy_count = 0;
	struct dt_passthrough p;
	log_text[0] = '\0';
	assert_int_equal(dt_passthrough_select(&p, board, &c, &r), 0);
	assert_false(passed(&p, "/soc/virtio@1000"));
	assert_false(passed(&p, "/soc/virtio@1200"));
	assert_true(passed(&p, "/soc/virtio@0"));
	assert_true(passed(&p, "/soc/rtc@2000"));
	assert_string_equal(log_text,
			    "W VM[1] linux: host node 'virtio@1200' is not passed through: its page at 0xa001000 is virtio@1000's\n"
			    "W VM[1] linux: host node 'poweroff' is not passed through: it refers to 'test@100000', which the VM does not get\n");
	/* The windows a passed node maps: its reg through the bus's ranges. */
	const struct dt_range *windows;
	int rtc = fdt_path_offset(board, "/soc/rtc@2000");
	for (unsigned i = 0; i < p.count; i++) {
		if (p.offsets[i] != rtc)
			continue;
		assert_int_equal(dt_passthrough_windows(&p, i, &windows), 1);
		assert_int_equal(windows[0].base, 0xa002000);
		assert_int_equal(windows[0].size, 0x1000);
	}
	dt_passthrough_free(&p);
}

static void test_one_node_brings_what_it_refers_to(void **state)
{
	(void)state;
	struct vm_config c = config_passing("/soc/rtc@2000", NULL);
	struct dt_passthrough_rules r = rules();
	struct dt_passthrough p;
	log_text[0] = '\0';
	assert_int_equal(dt_passthrough_select(&p, board, &c, &r), 0);
	assert_true(passed(&p, "/soc/rtc@2000"));
	assert_true(passed(&p, "/apb-pclk")); /* its clock */
	assert_false(passed(&p, "/soc"));      /* only the bus above it */
	assert_false(passed(&p, "/soc/virtio@1000"));
	assert_int_equal(p.passed, 2);
	assert_string_equal(log_text, "");

	static uint8_t guest[4096];
	struct fdt_writer w;
	fdt_begin(&w, guest, sizeof(guest));
	fdt_begin_node(&w, "");
	dt_passthrough_write(&p, &w);
	fdt_end_node(&w);
	assert_true(fdt_finish(&w) > 0);
	int soc = fdt_path_offset(guest, "/soc"), len;
	assert_true(soc >= 0);
	assert_non_null(fdt_getprop(guest, soc, "ranges", &len));
	assert_int_equal(fdt_getprop_u32(guest, soc, "#address-cells", 0), 1);
	uint64_t base, size;
	assert_int_equal(fdt_translate_reg(guest, fdt_path_offset(guest, "/soc/rtc@2000"), 0, &base, &size), 0);
	assert_int_equal(base, 0xa002000);
	assert_true(fdt_path_offset(guest, "/apb-pclk") >= 0);
	assert_int_equal(fdt_path_offset(guest, "/soc/virtio@1000"), -ENOENT);
	dt_passthrough_free(&p);
}

static void test_paths_that_are_not_there(void **state)
{
	(void)state;
	struct dt_passthrough_rules r = rules();
	struct dt_passthrough p;
	log_text[0] = '\0';
	struct vm_config c = config_passing("/serial@1234", NULL);
	assert_int_equal(dt_passthrough_select(&p, board, &c, &r), -ENOENT);
	dt_passthrough_free(&p);
	c = config_passing("/", "/pcie@20000000");
	assert_int_equal(dt_passthrough_select(&p, board, &c, &r), -ENOENT);
	dt_passthrough_free(&p);
	assert_string_equal(log_text,
			    "E VM[1] linux: vm.toml:12: devices.passthrough_devices: '/serial@1234' is not in the host device tree\n"
			    "E VM[1] linux: vm.toml:13: devices.excluded_devices: '/pcie@20000000' is not in the host device tree\n");
}

static void test_no_path_entries_pass_nothing(void **state)
{
	(void)state;
	struct vm_config c = config_passing("/", NULL);
	c.devices.passthrough_devices[0].is_device_tree_path = false;
	struct dt_passthrough_rules r = rules();
	struct dt_passthrough p;
	assert_int_equal(dt_passthrough_select(&p, board, &c, &r), 0);
	assert_int_equal(p.passed, 0);
	assert_int_equal(p.count, 0);
	dt_passthrough_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_whole_machine_less_what_is_kept),
		cmocka_unit_test(test_interrupts_of_passed_nodes),
		cmocka_unit_test(test_an_excluded_node_takes_its_page_along),
		cmocka_unit_test(test_one_node_brings_what_it_refers_to),
		cmocka_unit_test(test_paths_that_are_not_there),
		cmocka_unit_test(test_no_path_entries_pass_nothing),
	};
	return cmocka_run_group_tests(tests, load, unload);
}
