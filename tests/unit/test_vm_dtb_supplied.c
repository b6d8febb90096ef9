/* SPDX-License-Identifier: Apache-2.0 */
/* A supplied device tree (dtb_path) made to describe its VM (src/vmm/vm_dtb_supplied.c): the
 * board's memory, CPUs, ramdisk, bootargs and seed replaced by the VM's, everything else kept; and
 * trees it must refuse with a clear line (not a tree, too big, corrupt, cells too small for the
 * VM's RAM) without writing anything. Guest RAM is a host buffer; the arch's CPU writer and the
 * config's image check are the test's. */
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
#include "lib/fdt_write.h"
#include "virt/arch_vm.h"
#include "vmm/config.h"
#include "vmm/vm.h"
#include "vmm/vm_internal.h"

#define RAM_BASE 0x40000000ull
#define RAM_SIZE (4u << 20)
#define DTB_AT (RAM_BASE + 0x200000)

static uint8_t *ram;
static char log_text[4096];
static struct vm_boot_params boot;     /* what vm_boot_params_of hands out */
static bool arch_writes_cpus;
static uint32_t cpu_phandles_seen[8];
static unsigned cpu_phandle_count;

void vm_log_write(const struct vm *vm, int level, const char *file, int line, const char *fmt, ...)
{
	(void)vm;
	(void)level;
	(void)file;
	(void)line;
	size_t used = strlen(log_text);
	va_list ap;
	va_start(ap, fmt);
	used += (size_t)vsnprintf(log_text + used, sizeof(log_text) - used, fmt, ap);
	va_end(ap);
	snprintf(log_text + used, sizeof(log_text) - used, "\n");
}

int vm_boot_log_level(const struct vm *vm) { (void)vm; return LOG_LEVEL_INFO; }
void *kmalloc(size_t size) { return malloc(size ? size : 1); }
void kfree(void *p) { free(p); }

int vm_copy_from_guest(struct vm *vm, void *dst, gpa_t gpa, size_t size)
{
	(void)vm;
	if (gpa < RAM_BASE || gpa - RAM_BASE > RAM_SIZE || size > RAM_SIZE - (gpa - RAM_BASE))
		return -EFAULT;
	memcpy(dst, ram + (gpa - RAM_BASE), size);
	return 0;
}

int vm_copy_to_guest(struct vm *vm, gpa_t gpa, const void *src, size_t size)
{
	(void)vm;
	if (gpa < RAM_BASE || gpa - RAM_BASE > RAM_SIZE || size > RAM_SIZE - (gpa - RAM_BASE))
		return -EFAULT;
	memcpy(ram + (gpa - RAM_BASE), src, size);
	return 0;
}

void vm_boot_params_of(const struct vm *vm, struct vm_boot_params *params)
{
	(void)vm;
	*params = boot;
}

int config_check_image_fits_at(const struct vm_config *config, enum vm_image_kind kind, uint64_t base, uint64_t size,
			       struct config_reporter *reporter)
{
	(void)config;
	(void)kind;
	(void)reporter;
	return base + size <= RAM_BASE + RAM_SIZE ? 0 : -EINVAL;
}

bool config_emu_type_is_virtio(uint64_t emu_type) { (void)emu_type; return false; }

/* The arch's CPUs, recognisable: one "vcpu@n" per vCPU with the phandle it was handed. */
bool arch_vm_dtb_write_cpus(struct fdt_writer *w, struct vm *vm, const uint32_t *phandles, unsigned count)
{
	cpu_phandle_count = count;
	memcpy(cpu_phandles_seen, phandles, count * sizeof(*phandles));
	if (!arch_writes_cpus)
		return false;
	fdt_begin_node(w, "cpus");
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		fdt_begin_node_at(w, "vcpu", i);
		if (i < count)
			fdt_property_u32(w, "phandle", phandles[i]);
		fdt_end_node(w);
	}
	fdt_end_node(w);
	return true;
}

static struct vm_config config;
static struct vm vm;

/* A board's tree, as its vendor writes it: 4 CPUs, 2 RAM banks, its bootargs, ramdisk and seed. */
static size_t board_tree(uint8_t *buf, size_t size, uint32_t address_cells, bool with_chosen)
{
	struct fdt_writer w;
	fdt_begin(&w, buf, size);
	fdt_begin_node(&w, "");
	fdt_property_u32(&w, "#address-cells", address_cells);
	fdt_property_u32(&w, "#size-cells", address_cells);
	fdt_property_string(&w, "model", "A board");
	fdt_begin_node(&w, "cpus");
	fdt_property_u32(&w, "#address-cells", 1);
	fdt_property_u32(&w, "#size-cells", 0);
	for (unsigned i = 0; i < 4; i++) {
		fdt_begin_node_at(&w, "cpu", i);
		fdt_property_string(&w, "device_type", "cpu");
		fdt_property_u32(&w, "reg", i);
		fdt_property_u32(&w, "phandle", 0x10 + i);
		fdt_end_node(&w);
	}
	fdt_begin_node(&w, "cpu-map"); /* not a CPU: no phandle taken from it */
	fdt_end_node(&w);
	fdt_end_node(&w);
	for (unsigned bank = 0; bank < 2; bank++) {
		fdt_begin_node_at(&w, "memory", bank ? 0x80000000 : 0);
		fdt_property_string(&w, "device_type", "memory");
		uint32_t reg[4] = { 0, bank ? 0x80000000u : 0, 0, 0x40000000 };
		fdt_property_cells(&w, "reg", address_cells == 2 ? reg : reg + 1, address_cells == 2 ? 4 : 2);
		fdt_end_node(&w);
	}
	fdt_begin_node(&w, "soc");
	fdt_begin_node_at(&w, "serial", 0xff010000);
	fdt_property_string(&w, "compatible", "cdns,uart-r1p12");
	fdt_end_node(&w);
	fdt_end_node(&w);
	if (with_chosen) {
		fdt_begin_node(&w, "chosen");
		fdt_property_string(&w, "bootargs", "board args");
		fdt_property_string(&w, "stdout-path", "serial0:115200n8");
		fdt_property_u64(&w, "linux,initrd-start", 0x1000);
		fdt_property_u64(&w, "linux,initrd-end", 0x2000);
		fdt_property(&w, "rng-seed", "same every boot", 16);
		fdt_end_node(&w);
	}
	fdt_end_node(&w);
	int n = fdt_finish(&w);
	assert_true(n > 0);
	return (size_t)n;
}

static int setup(void **state)
{
	(void)state;
	free(ram);
	ram = calloc(1, RAM_SIZE);
	log_text[0] = 0;
	memset(&config, 0, sizeof(config));
	memset(&vm, 0, sizeof(vm));
	config.kernel.images[VM_IMAGE_DTB].path.value = "board.dtb";
	vm.config = &config;
	vm.ram[0] = (struct vm_ram){ .gpa = RAM_BASE, .size = 256u << 20 };
	vm.ram_count = 1;
	vm.vcpu_count = 2;
	vm.image_gpa[VM_IMAGE_DTB] = DTB_AT;
	boot = (struct vm_boot_params){ .cmdline = "console=ttyPS0", .initrd_start = 0x48000000, .initrd_end = 0x48100000,
					.has_rng_seed = true };
	memset(boot.rng_seed, 0xa5, sizeof(boot.rng_seed));
	arch_writes_cpus = true;
	cpu_phandle_count = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ram);
	ram = NULL;
	return 0;
}

static const uint8_t *tree(void) { return ram + (DTB_AT - RAM_BASE); }

static void load_board(uint32_t address_cells, bool with_chosen)
{
	board_tree(ram + (DTB_AT - RAM_BASE), 64 * 1024, address_cells, with_chosen);
}

static int node(const char *path)
{
	return fdt_path_offset(tree(), path);
}

static void test_board_tree_gets_the_vms_memory_cpus_and_chosen(void **state)
{
	(void)state;
	load_board(2, true);
	assert_int_equal(vm_update_supplied_dtb(&vm, NULL), 0);
	assert_int_equal(fdt_check(tree(), RAM_SIZE - (DTB_AT - RAM_BASE)), 0);
	assert_non_null(strstr(log_text, "device tree 'board.dtb' at 0x40200000"));
	assert_non_null(strstr(log_text, "with this VM's memory, CPUs and /chosen"));
	/* The board's banks are gone; the VM's region is there. */
	assert_true(node("/memory@0") < 0);
	assert_true(node("/memory@80000000") < 0);
	int mem = node("/memory@40000000");
	assert_true(mem >= 0);
	uint64_t base, size;
	assert_int_equal(fdt_get_reg(tree(), mem, 0, &base, &size), 0);
	assert_int_equal(base, RAM_BASE);
	assert_int_equal(size, 256u << 20);
	/* The arch's CPUs, handed the board's CPU phandles in order (not cpu-map's). */
	assert_true(node("/cpus/cpu@0") < 0);
	assert_true(node("/cpus/vcpu@1") >= 0);
	assert_int_equal(cpu_phandle_count, 2);
	assert_int_equal(cpu_phandles_seen[0], 0x10);
	assert_int_equal(cpu_phandles_seen[1], 0x11);
	assert_int_equal(fdt_getprop_u32(tree(), node("/cpus/vcpu@0"), "phandle", 0), 0x10);
	/* /chosen: the config's command line and ramdisk, this boot's seed, the board's stdout-path. */
	int chosen = node("/chosen");
	int len;
	assert_string_equal(fdt_getprop(tree(), chosen, "bootargs", &len), "console=ttyPS0");
	assert_string_equal(fdt_getprop(tree(), chosen, "stdout-path", &len), "serial0:115200n8");
	const uint8_t *start = fdt_getprop(tree(), chosen, "linux,initrd-start", &len);
	assert_int_equal(len, 8);
	assert_int_equal(fdt_read_cells(start, 2), 0x48000000);
	const uint8_t *seed = fdt_getprop(tree(), chosen, "rng-seed", &len);
	assert_int_equal(len, 64);
	assert_int_equal(seed[0], 0xa5);
	/* One of each: the replaced properties are not there twice. */
	int count = 0;
	for (int p = fdt_first_property(tree(), chosen); p >= 0; p = fdt_next_property(tree(), p))
		count++;
	assert_int_equal(count, 5);
	/* The rest as the board wrote it. */
	assert_string_equal(fdt_getprop(tree(), node("/"), "model", &len), "A board");
	assert_true(fdt_node_is_compatible(tree(), node("/soc/serial@ff010000"), "cdns,uart-r1p12"));
}

static void test_what_the_config_does_not_give_is_the_trees_or_nothing(void **state)
{
	(void)state;
	boot = (struct vm_boot_params){ 0 }; /* no cmdline, no ramdisk, no seed */
	load_board(2, true);
	assert_int_equal(vm_update_supplied_dtb(&vm, NULL), 0);
	int chosen = node("/chosen");
	int len;
	assert_string_equal(fdt_getprop(tree(), chosen, "bootargs", &len), "board args");
	/* The board's ramdisk range and its fixed seed would be wrong for the VM: dropped. */
	assert_null(fdt_getprop(tree(), chosen, "linux,initrd-start", &len));
	assert_null(fdt_getprop(tree(), chosen, "rng-seed", &len));
}

static void test_a_tree_without_chosen_gets_one(void **state)
{
	(void)state;
	load_board(2, false);
	assert_int_equal(vm_update_supplied_dtb(&vm, NULL), 0);
	int len;
	assert_string_equal(fdt_getprop(tree(), node("/chosen"), "bootargs", &len), "console=ttyPS0");
}

static void test_an_arch_that_keeps_the_trees_cpus(void **state)
{
	(void)state;
	arch_writes_cpus = false;
	load_board(2, true);
	assert_int_equal(vm_update_supplied_dtb(&vm, NULL), 0);
	assert_true(node("/cpus/cpu@3") >= 0);
	assert_true(node("/cpus/vcpu@0") < 0);
	assert_non_null(strstr(log_text, "with this VM's memory, /chosen"));
}

static void test_memory_in_the_roots_cells(void **state)
{
	(void)state;
	load_board(1, true);
	assert_int_equal(vm_update_supplied_dtb(&vm, NULL), 0);
	int len;
	const uint8_t *reg = fdt_getprop(tree(), node("/memory@40000000"), "reg", &len);
	assert_int_equal(len, 8);
	assert_int_equal(fdt_be32(reg), RAM_BASE);
	/* RAM above 4 GiB cannot be said in one cell: refused, the tree left as loaded. */
	vm.ram[0].gpa = 0x100000000ull;
	load_board(1, true);
	uint8_t before[256];
	memcpy(before, tree(), sizeof(before));
	assert_int_equal(vm_update_supplied_dtb(&vm, NULL), -ERANGE);
	assert_non_null(strstr(log_text, "#address-cells/#size-cells cannot hold the VM's RAM regions"));
	assert_memory_equal(before, tree(), sizeof(before));
}

static void test_what_is_not_a_tree_is_refused(void **state)
{
	(void)state;
	/* Not a tree at all. */
	memcpy(ram + (DTB_AT - RAM_BASE), "Image\0\0\0", 8);
	assert_int_equal(vm_update_supplied_dtb(&vm, NULL), -EINVAL);
	assert_non_null(strstr(log_text, "dtb_path 'board.dtb' is not a flattened device tree of at most 1024 KiB"));
	/* A header claiming more than any board's tree. */
	load_board(2, true);
	uint8_t *t = ram + (DTB_AT - RAM_BASE);
	t[4] = 0x7f;
	log_text[0] = 0;
	assert_int_equal(vm_update_supplied_dtb(&vm, NULL), -EINVAL);
	assert_non_null(strstr(log_text, "is not a flattened device tree"));
	/* Blocks outside the blob: fdt_check's refusal, named. */
	load_board(2, true);
	t[8] = 0x7f; /* off_dt_struct */
	log_text[0] = 0;
	assert_true(vm_update_supplied_dtb(&vm, NULL) < 0);
	assert_non_null(strstr(log_text, "dtb_path 'board.dtb' is not a valid device tree"));
	/* A structure block cut short: every node walk ends in an error, never past the blob. */
	size_t n = board_tree(t, 64 * 1024, 2, true);
	uint32_t struct_off = fdt_be32(t + 8);
	memset(t + struct_off + 40, 0xff, 8);
	log_text[0] = 0;
	assert_true(vm_update_supplied_dtb(&vm, NULL) < 0);
	assert_non_null(strstr(log_text, "is not a valid device tree"));
	(void)n;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_board_tree_gets_the_vms_memory_cpus_and_chosen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_what_the_config_does_not_give_is_the_trees_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_tree_without_chosen_gets_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_an_arch_that_keeps_the_trees_cpus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_in_the_roots_cells, setup, teardown),
		cmocka_unit_test_setup_teardown(test_what_is_not_a_tree_is_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
