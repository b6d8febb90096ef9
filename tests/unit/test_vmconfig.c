/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the VM config schema (src/vmm/config_*.c): a realistic AxVisor-style file parses
 * into the expected struct, and every rule reports its exact "file:line: key: text" diagnostic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/errno.h"
#include "vmm/config.h"

static char arena_memory[1 << 18];
static struct toml_arena arena;
static char diagnostics[8192]; /* every message, each followed by '\n'; warnings start with "W " */
static struct config_reporter reporter;
static struct vm_config configs[3];

static void collect(void *ctx, enum config_severity severity, const char *message)
{
	size_t used = strlen(diagnostics);
	snprintf(diagnostics + used, sizeof(diagnostics) - used, "%s%s\n", severity == CONFIG_WARNING ? "W " : "",
		 message);
}

static int setup(void **state)
{
	diagnostics[0] = '\0';
	reporter = (struct config_reporter){ .report = collect };
	toml_arena_init(&arena, arena_memory, sizeof(arena_memory));
	memset(configs, 0, sizeof(configs));
	return 0;
}

static int parse(struct vm_config *cfg, const char *file, const char *text)
{
	return config_parse(file, text, strlen(text), &arena, cfg, &reporter);
}

/* Parses and, when that worked, validates against `platform`; returns the diagnostics. */
static const char *check(const char *text, const struct config_platform *platform)
{
	setup(NULL);
	if (parse(&configs[0], "vm.toml", text) == 0) {
		unsigned errors = reporter.errors;
		/* It fails exactly when it reported an error; the tests read what it reported. */
		int err = config_validate(&configs[0], platform, &reporter);
		assert_int_equal(err != 0, reporter.errors != errors);
	}
	return diagnostics;
}

/* A minimal valid file; tests append or substitute lines. Line numbers: [base]=1 ... [devices]=10. */
#define BASE "[base]\nid = 1\nname = \"demo\"\nvm_type = 1\ncpu_num = 2\n"
#define KERNEL                                                                            \
	"[kernel]\nentry_point = 0x4008_0000\nkernel_path = \"demo.bin\"\n"               \
	"kernel_load_addr = 0x4008_0000\n"
#define RAM "memory_regions = [[0x4000_0000, 0x100_0000, 0x7, 0]]\n"

static const char realistic[] =
	"# A Linux guest on QEMU virt, written the way AxVisor's configs are.\n"
	"[base]\n"
	"id = 2                       # VM id\n"
	"name = \"linux-qemu\"\n"
	"vm_type = 2\n"
	"cpu_num = 2\n"
	"phys_cpu_ids = [0x0, 0x1]    # MPIDR affinity values\n"
	"phys_cpu_sets = [0b01, 0b10]\n"
	"\n"
	"[kernel]\n"
	"entry_point = 0x8020_0000\n"
	"image_location = \"fs\"\n"
	"kernel_path = \"/guest/linux/Image\"\n"
	"kernel_load_addr = 0x8020_0000\n"
	"dtb_path = \"/guest/linux/linux.dtb\"\n"
	"dtb_load_addr = 0x8200_0000\n"
	"ramdisk_path = 'initrd.cpio'\n"
	"ramdisk_load_addr = 0x8400_0000\n"
	"cmdline = \"\"\"\n"
	"console=ttyAMA0 \\\n"
	"   earlycon root=/dev/ram0\"\"\"\n"
	"memory_regions = [\n"
	"    [0x8000_0000, 0x4000_0000, 0x7, 0],  # 1 GiB RAM, allocated\n"
	"    [0xc000_0000, 0x10_0000, 0x13, 1],   # shared window, identical\n"
	"]\n"
	"\n"
	"[devices]\n"
	"passthrough_devices = [\n"
	"    [\"/pl011@9000000\"],\n"
	"    [\"virtio-mmio\", 0x0a00_0000, 0x0a00_0000, 0x4000, 0x30,],\n"
	"]\n"
	"passthrough_addresses = [[0x0900_0000, 0x1000]]\n"
	"excluded_devices = [[\"/gic-v3\"], [\"/timer\", \"/psci\"]]\n"
	"emu_devices = [\n"
	"    [\"gppt-gicd\", 0x0800_0000, 0x1_0000, 0, 0x21, []],\n"
	"    [\"gppt-gicr\", 0x080a_0000, 0x2_0000, 0, 0x20, [2, 0x2_0000, 0]],\n"
	"]\n"
	"interrupt_mode = \"passthrough\"\n";

static void test_realistic_config(void **state)
{
	struct vm_config *c = &configs[0];
	assert_int_equal(parse(c, "linux.toml", realistic), 0);
	assert_int_equal(config_validate(c, NULL, &reporter), 0);
	assert_string_equal(diagnostics, "");
	assert_string_equal(c->file_name, "linux.toml");
	assert_int_equal(c->base.line, 2);
	assert_int_equal(c->base.id.value, 2);
	assert_int_equal(c->base.id.line, 3);
	assert_string_equal(c->base.name.value, "linux-qemu");
	assert_int_equal(c->base.vm_type.value, VM_TYPE_LINUX);
	assert_int_equal(c->base.cpu_num.value, 2);
	assert_int_equal(c->base.phys_cpu_id_count, 2);
	assert_int_equal(c->base.phys_cpu_ids[1], 1);
	assert_int_equal(c->base.phys_cpu_set_count, 2);
	assert_int_equal(c->base.phys_cpu_sets[1], 2);
	assert_int_equal(c->kernel.entry_point.value, 0x80200000);
	assert_int_equal(c->kernel.image_location.value, VM_IMAGE_IN_FILESYSTEM);
	assert_string_equal(c->kernel.images[VM_IMAGE_KERNEL].path.value, "/guest/linux/Image");
	assert_int_equal(c->kernel.images[VM_IMAGE_DTB].load_addr.value, 0x82000000);
	assert_int_equal(c->kernel.images[VM_IMAGE_DTB].load_addr.line, 16);
	assert_string_equal(c->kernel.images[VM_IMAGE_RAMDISK].path.value, "initrd.cpio");
	assert_null(c->kernel.images[VM_IMAGE_BIOS].path.value);
	assert_int_equal(c->kernel.images[VM_IMAGE_BIOS].path.line, 0);
	assert_string_equal(c->kernel.cmdline.value, "console=ttyAMA0 earlycon root=/dev/ram0");
	assert_int_equal(c->kernel.memory_region_count, 2);
	assert_int_equal(c->kernel.memory_regions[0].gpa, 0x80000000);
	assert_int_equal(c->kernel.memory_regions[0].size, 0x40000000);
	assert_int_equal(c->kernel.memory_regions[0].flags, VM_MEMORY_READ | VM_MEMORY_WRITE | VM_MEMORY_EXECUTE);
	assert_int_equal(c->kernel.memory_regions[0].line, 23);
	assert_int_equal(c->kernel.memory_regions[1].flags, VM_MEMORY_READ | VM_MEMORY_WRITE | VM_MEMORY_DEVICE);
	assert_int_equal(c->kernel.memory_regions[1].map_type, VM_MAP_IDENTICAL);
	assert_int_equal(c->devices.passthrough_device_count, 2);
	assert_true(c->devices.passthrough_devices[0].is_device_tree_path);
	assert_string_equal(c->devices.passthrough_devices[0].name, "/pl011@9000000");
	assert_false(c->devices.passthrough_devices[1].is_device_tree_path);
	assert_int_equal(c->devices.passthrough_devices[1].base_hpa, 0x0a000000);
	assert_int_equal(c->devices.passthrough_devices[1].length, 0x4000);
	assert_int_equal(c->devices.passthrough_devices[1].irq, 0x30);
	assert_int_equal(c->devices.passthrough_address_count, 1);
	assert_int_equal(c->devices.passthrough_addresses[0].gpa, 0x09000000);
	assert_int_equal(c->devices.excluded_device_count, 3);
	assert_string_equal(c->devices.excluded_devices[2].path, "/psci");
	assert_int_equal(c->devices.emu_device_count, 2);
	assert_string_equal(c->devices.emu_devices[1].name, "gppt-gicr");
	assert_int_equal(c->devices.emu_devices[1].emu_type, VM_EMU_GPPT_REDISTRIBUTOR);
	assert_int_equal(c->devices.emu_devices[1].config_count, 3);
	assert_int_equal(c->devices.emu_devices[1].config[1], 0x20000);
	assert_int_equal(c->devices.emu_devices[0].config_count, 0);
	assert_int_equal(c->devices.interrupt_mode.value, VM_INTERRUPTS_PASSTHROUGH);
}

static void test_defaults(void **state)
{
	struct vm_config *c = &configs[0];
	assert_int_equal(parse(c, "vm.toml", BASE KERNEL RAM), 0);
	assert_int_equal(c->kernel.image_location.value, VM_IMAGE_IN_FILESYSTEM);
	assert_int_equal(c->kernel.image_location.line, 0);
	assert_int_equal(c->devices.interrupt_mode.value, VM_INTERRUPTS_NONE);
	assert_int_equal(c->devices.line, 0);
	assert_int_equal(c->base.phys_cpu_ids_line, 0);
	assert_int_equal(config_validate(c, NULL, &reporter), 0);
	assert_string_equal(diagnostics, "");
}

static void test_syntax_error(void **state)
{
	assert_string_equal(check("[base]\nid = 1\nname = 'x\n", NULL), "vm.toml:3:8: unterminated string (newline before closing quote)\n");
	assert_string_equal(check("[base]\nid = 1.5\n", NULL), "vm.toml:2:6: floats are not supported\n");
	assert_string_equal(check("[base]\nid = 1\nid = 2\n", NULL), "vm.toml:3:1: duplicate key 'id'\n");
}

static void test_missing_and_unknown_keys(void **state)
{
	assert_string_equal(check("", NULL), "vm.toml: base: missing required table [base]\n"
					     "vm.toml: kernel: missing required table [kernel]\n");
	assert_string_equal(check("[base]\nextra = 1\n[kernel]\n" RAM "[devices]\nfoo.bar = 2\n[tessera]\n", NULL),
			    "W vm.toml:2: base.extra: unknown key (ignored)\n"
			    "vm.toml:1: base.id: missing required key\n"
			    "vm.toml:1: base.name: missing required key\n"
			    "vm.toml:1: base.vm_type: missing required key\n"
			    "vm.toml:1: base.cpu_num: missing required key\n"
			    "vm.toml:3: kernel.kernel_path: missing required key\n"
			    "W vm.toml:6: devices.foo: unknown key (ignored)\n"
			    "W vm.toml:7: tessera: unknown key (ignored)\n");
	/* unknown keys alone are warnings: the file still parses */
	setup(NULL);
	assert_int_equal(parse(&configs[0], "vm.toml", BASE "color = 'red'\n" KERNEL RAM), 0);
	assert_int_equal(reporter.warnings, 1);
	assert_int_equal(reporter.errors, 0);
}

static void test_wrong_types(void **state)
{
	assert_string_equal(check("base = 1\n[kernel]\nentry_point = 'x'\nkernel_path = 3\nkernel_load_addr = -1\n"
				  "memory_regions = 5\n",
				  NULL),
			    "vm.toml:1: base: expected a table, found a integer\n"
			    "vm.toml:3: kernel.entry_point: expected an integer, found a string\n"
			    "vm.toml:4: kernel.kernel_path: expected a string, found a integer\n"
			    "vm.toml:5: kernel.kernel_load_addr: must not be negative (-1)\n"
			    "vm.toml:6: kernel.memory_regions: expected an array, found a integer\n");
	assert_string_equal(check(BASE "name2 = 1\n" KERNEL "memory_regions = [[0x1000, 0x1000, 7], 3, [1, 'a', 1, 1]]\n"
				  "cmdline = \"a\\u0000b\"\n",
				  NULL),
			    "W vm.toml:6: base.name2: unknown key (ignored)\n"
			    "vm.toml:11: kernel.memory_regions[0]: expected [gpa, size, flags, map_type], found 3 values\n"
			    "vm.toml:11: kernel.memory_regions[1]: expected [gpa, size, flags, map_type], found a integer\n"
			    "vm.toml:11: kernel.memory_regions[2][1]: expected an integer, found a string\n"
			    "vm.toml:12: kernel.cmdline: string contains a NUL character\n");
}

/* Tessera's keep_ram_on_reset: a boolean, off when absent. */
static void test_keep_ram_on_reset(void **state)
{
	struct vm_config *c = &configs[0];
	assert_int_equal(parse(c, "vm.toml", BASE KERNEL RAM), 0);
	assert_int_equal(c->kernel.keep_ram_on_reset.value, 0);
	setup(NULL);
	assert_int_equal(parse(c, "vm.toml", BASE KERNEL "keep_ram_on_reset = true\n" RAM), 0);
	assert_int_equal(c->kernel.keep_ram_on_reset.value, 1);
	assert_int_equal(c->kernel.keep_ram_on_reset.line, 10);
	assert_string_equal(check(BASE KERNEL "keep_ram_on_reset = 1\n" RAM, NULL),
			    "vm.toml:10: kernel.keep_ram_on_reset: expected true or false, found a integer\n");
}

static void test_base_rules(void **state)
{
	assert_string_equal(check("[base]\nid = 1\nname = \"\"\nvm_type = 3\ncpu_num = 0\n" KERNEL RAM, NULL),
			    "vm.toml:3: base.name: must not be empty\n"
			    "vm.toml:4: base.vm_type: unknown VM type 3 (0 host, 1 RTOS, 2 Linux)\n"
			    "vm.toml:5: base.cpu_num: must be between 1 and 64 (found 0)\n");
	assert_string_equal(check("[base]\nid = 1\nname = \"0123456789012345678901234567890123456789012345678901234567890123\"\n"
				  "vm_type = 0\ncpu_num = 65\n" KERNEL RAM,
				  NULL),
			    "vm.toml:3: base.name: is 64 bytes long; at most 63 are allowed\n"
			    "vm.toml:5: base.cpu_num: must be between 1 and 64 (found 65)\n");
}

static void test_cpu_rules(void **state)
{
	static const struct config_platform four_cpus = { .cpu_count = 4 };
	assert_string_equal(check(BASE "phys_cpu_ids = [0, 0, 7]\nphys_cpu_sets = [0x1, 0, 0x30]\n" KERNEL RAM, &four_cpus),
			    "vm.toml:6: base.phys_cpu_ids: has 3 entries but cpu_num is 2\n"
			    "vm.toml:6: base.phys_cpu_ids[1]: physical CPU 0x0 is already vCPU 0's\n"
			    "vm.toml:6: base.phys_cpu_ids[2]: physical CPU 7 does not exist (the platform has 4)\n"
			    "vm.toml:7: base.phys_cpu_sets: has 3 entries but cpu_num is 2\n"
			    "vm.toml:7: base.phys_cpu_sets[1]: is 0: vCPU 1 could never run\n"
			    "vm.toml:7: base.phys_cpu_sets[2]: mask 0x30 names CPUs the platform lacks (it has 4)\n");
	/* Without a platform, only the shape is checked. */
	assert_string_equal(check(BASE "phys_cpu_ids = [0x100, 0x101]\nphys_cpu_sets = [0x30, 0x40]\n" KERNEL RAM, NULL), "");
	/* Arm MPIDR values are matched against the platform's hardware ids. */
	static const uint64_t mpidrs[] = { 0x0, 0x1, 0x100, 0x101 };
	static const struct config_platform arm = { .cpu_count = 4, .cpu_hardware_ids = mpidrs, .cpu_hardware_id_count = 4 };
	assert_string_equal(check(BASE "phys_cpu_ids = [0x100, 0x2]\n" KERNEL RAM, &arm),
			    "vm.toml:6: base.phys_cpu_ids[1]: no physical CPU has hardware id 0x2\n");
	assert_string_equal(check(BASE "phys_cpu_ids = ['a', 1]\n" KERNEL RAM, NULL),
			    "vm.toml:6: base.phys_cpu_ids[0]: expected an integer, found a string\n");
}

static void test_memory_rules(void **state)
{
	assert_string_equal(check(BASE KERNEL "memory_regions = [\n"
						"  [0x4000_0000, 0x100_0000, 0x7, 0],\n"
						"  [0x4080_0000, 0x100_0000, 0x7, 0],\n"
						"  [0x5000_0800, 0x1800, 0x47, 3],\n"
						"  [0x6000_0000, 0, 0x8, 0],\n"
						"]\n",
				  NULL),
			    "vm.toml:13: kernel.memory_regions[2]: gpa 0x50000800 is not 4 KiB aligned\n"
			    "vm.toml:13: kernel.memory_regions[2]: size 0x1800 is not a multiple of 4 KiB\n"
			    "vm.toml:13: kernel.memory_regions[2]: unknown flag bits 0x40 (R=1 W=2 X=4 USER=8 DEVICE=0x10 UNCACHED=0x20)\n"
			    "vm.toml:13: kernel.memory_regions[2]: unknown map_type 3 (0 allocate, 1 identical, 2 reserved)\n"
			    "vm.toml:14: kernel.memory_regions[3]: size is 0\n"
			    "W vm.toml:14: kernel.memory_regions[3]: flags grant no access (none of R=1 W=2 X=4)\n"
			    "vm.toml:12: kernel.memory_regions[1]: overlaps memory_regions[0] (0x40000000..0x41000000)\n");
	/* TOML integers stop at 2^63 - 1, so no region can wrap; addresses above that cannot be written. */
	assert_string_equal(check(BASE KERNEL "memory_regions = [[0x8000_0000_0000_0000, 0x1000, 7, 0]]\n", NULL),
			    "vm.toml:10:20: integer does not fit in 64 bits (signed)\n");
	assert_string_equal(check(BASE KERNEL "memory_regions = []\n", NULL),
			    "vm.toml:10: kernel.memory_regions: at least one region is required\n"
			    "vm.toml:7: kernel.entry_point: 0x40080000 is outside guest RAM\n"
			    "vm.toml:9: kernel.kernel_load_addr: 0x40080000 is outside guest RAM\n");
}

static void test_host_memory_rule(void **state)
{
	static const struct config_host_range host_ram[] = { { 0x40000000, 0x40000000 } };
	static const struct config_platform platform = { .host_memory = host_ram, .host_memory_count = 1 };
	assert_string_equal(check(BASE KERNEL "memory_regions = [[0x4000_0000, 0x100_0000, 7, 1],"
						"[0x7f00_0000, 0x200_0000, 7, 2], [0x9000_0000, 0x1000, 7, 0]]\n",
				  &platform),
			    "vm.toml:10: kernel.memory_regions[1]: reserved mapping 0x7f000000..0x81000000 is not in host RAM\n");
}

static void test_image_rules(void **state)
{
	assert_string_equal(check(BASE "[kernel]\nentry_point = 0x1000\nkernel_path = ''\nkernel_load_addr = 0x5000_0000\n"
				  "dtb_path = 'x.dtb'\nbios_load_addr = 0x4000_0000\nramdisk_path = 'r'\n"
				  "ramdisk_load_addr = 0x4100_0000\nimage_location = 'disk'\n" RAM,
				  NULL),
			    "vm.toml:14: kernel.image_location: unknown value \"disk\" (expected \"memory\" or \"fs\")\n");
	assert_string_equal(check(BASE "[kernel]\nentry_point = 0x1000\nkernel_path = ''\nkernel_load_addr = 0x5000_0000\n"
				  "dtb_path = 'x.dtb'\nbios_load_addr = 0x4000_0000\nramdisk_path = 'r'\n"
				  "ramdisk_load_addr = 0x4100_0000\n" RAM,
				  NULL),
			    "vm.toml:7: kernel.entry_point: 0x1000 is outside guest RAM\n"
			    "vm.toml:8: kernel.kernel_path: must not be empty\n"
			    "vm.toml:9: kernel.kernel_load_addr: 0x50000000 is outside guest RAM\n"
			    "vm.toml:10: kernel.dtb_path: is set but dtb_load_addr is missing\n"
			    "W vm.toml:11: kernel.bios_load_addr: is set but there is no image to load (ignored)\n"
			    "vm.toml:13: kernel.ramdisk_load_addr: 0x41000000 is outside guest RAM\n");
	/* dtb_load_addr without dtb_path places the generated device tree: no warning. */
	assert_string_equal(check(BASE KERNEL "dtb_load_addr = 0x40f0_0000\n" RAM, NULL), "");
	assert_string_equal(check(BASE KERNEL "dtb_load_addr = 0x9000_0000\n" RAM, NULL),
			    "vm.toml:10: kernel.dtb_load_addr: 0x90000000 is outside guest RAM\n");
}

static void test_image_fits(void **state)
{
	setup(NULL);
	assert_int_equal(parse(&configs[0], "vm.toml", BASE KERNEL RAM), 0);
	assert_int_equal(config_check_image_fits(&configs[0], VM_IMAGE_KERNEL, 0xf80000, &reporter), 0);
	assert_int_equal(config_check_image_fits(&configs[0], VM_IMAGE_KERNEL, 0xf80001, &reporter), -EINVAL);
	assert_int_equal(config_check_image_fits(&configs[0], VM_IMAGE_KERNEL, UINT64_MAX, &reporter), -EINVAL);
	assert_string_equal(diagnostics,
			    "vm.toml:9: kernel.kernel_load_addr: image of 16252929 bytes at 0x40080000..0x41000001 does not fit in guest RAM\n"
			    "vm.toml:9: kernel.kernel_load_addr: image of 18446744073709551615 bytes at 0x40080000..0x4007ffff does not fit in guest RAM\n");
}

static void test_device_rules(void **state)
{
	assert_string_equal(
		check(BASE KERNEL RAM "[devices]\n"
				      "passthrough_devices = [['pl011'], ['uart', 0x900_0000, 0x900_0800, 0x1800, 0x1_0000_0000], ['a', 'b'],\n"
				      "  ['ram', 0x40ff_f000, 0x40ff_f000, 0x2000, 1]]\n"
				      "passthrough_addresses = [[0x800_0000, 0], [0x900_1000, 0x1000]]\n"
				      "excluded_devices = [['gic'], 'x']\n"
				      "emu_devices = [['gicd', 0x800_0000, 0x1_0000, 0, 0x21, []], ['bad', 0x0, 0x10, 0, 0x5, [1]],\n"
				      "  ['short', 0x0, 0x10, 0, 1]]\n"
				      "interrupt_mode = 'sometimes'\n",
		      NULL),
		"vm.toml:12: devices.passthrough_devices[2]: expected [\"/device/tree/path\"] or [name, base_gpa, base_hpa, length, irq], found 2 values\n"
		"vm.toml:15: devices.excluded_devices[1]: expected an array, found a string\n"
		"vm.toml:17: devices.emu_devices[2]: expected [name, base_gpa, length, irq, emu_type, [config...]], found 5 values\n"
		"vm.toml:18: devices.interrupt_mode: unknown value \"sometimes\" (expected \"no_irq\", \"emu\" or \"passthrough\")\n");
	assert_string_equal(
		check(BASE KERNEL RAM "[devices]\n"
				      "passthrough_devices = [['pl011'], ['uart', 0x900_0000, 0x900_0800, 0x1800, 0x1_0000_0000],\n"
				      "  ['ram', 0x40ff_f000, 0x40ff_f000, 0x2000, 1]]\n"
				      "passthrough_addresses = [[0x800_0000, 0], [0x900_1000, 0x1000]]\n"
				      "excluded_devices = [['gic']]\n"
				      "emu_devices = [['gicd', 0x800_0000, 0x1_0000, 0, 0x21, []], ['bad', 0x0, 0x10, 0, 0x5, [1]],\n"
				      "  ['uart', 0x900_1800, 0x10, 0, 0x2, []]]\n"
				      "interrupt_mode = 'pt'\n",
		      NULL),
		"vm.toml:12: devices.passthrough_devices[0]: device-tree path \"pl011\" must start with '/'\n"
		"vm.toml:12: devices.passthrough_devices[1]: base_hpa 0x9000800 is not 4 KiB aligned\n"
		"vm.toml:12: devices.passthrough_devices[1]: length 0x1800 is not a multiple of 4 KiB\n"
		"vm.toml:12: devices.passthrough_devices[1]: irq 4294967296 is too large\n"
		"vm.toml:14: devices.passthrough_addresses[0]: length is 0\n"
		"vm.toml:15: devices.excluded_devices: device-tree path \"gic\" must start with '/'\n"
		"vm.toml:16: devices.emu_devices[1]: unknown emu_type 0x5\n"
		"vm.toml:13: devices.passthrough_devices[2]: overlaps memory_regions[0] (0x40000000..0x41000000)\n"
		"vm.toml:14: devices.passthrough_addresses[1]: overlaps passthrough_devices[1] (0x9000000..0x9001800)\n"
		"vm.toml:17: devices.emu_devices[2]: overlaps passthrough_addresses[1] (0x9001000..0x9002000)\n");
}

static void test_limits(void **state)
{
	char text[4096];
	int n = snprintf(text, sizeof(text), BASE KERNEL "memory_regions = [");
	for (int i = 0; i < VM_MAX_MEMORY_REGIONS + 1; i++)
		n += snprintf(text + n, sizeof(text) - n, "[0x%x000, 0x1000, 7, 0],", i);
	snprintf(text + n, sizeof(text) - n, "]\n");
	assert_string_equal(check(text, NULL), "vm.toml:10: kernel.memory_regions: has 17 entries; at most 16 are supported\n");
}

static void test_one_owner_across_configs(void **state)
{
	setup(NULL);
#define OTHER(id, name) "[base]\nid = " #id "\nname = \"" name "\"\nvm_type = 1\ncpu_num = 1\n" KERNEL RAM "[devices]\n"
	assert_int_equal(parse(&configs[0], "a.toml", OTHER(1, "a") "passthrough_devices = [[\"uart\", 0x900_0000, 0x900_0000, 0x100, 33], [\"/soc\"]]\n"), 0);
	/* Another window in the same page, the same interrupt elsewhere, a subtree of a's path. */
	assert_int_equal(parse(&configs[1], "b.toml", OTHER(2, "b") "passthrough_devices = [[\"rtc\", 0x900_0800, 0x900_0800, 0x100, 0],\n"
									"[\"gpio\", 0x903_0000, 0x903_0000, 0x1000, 33], [\"/soc/i2c@1000\"]]\n"), 0);
	/* Nothing in common: the next page, another interrupt, a sibling path. */
	assert_int_equal(parse(&configs[2], "c.toml", OTHER(3, "c") "passthrough_devices = [[\"rtc\", 0x900_1000, 0x900_1000, 0x100, 34], [\"/socket\"]]\n"), 0);
	assert_int_equal(config_check_unique(configs, 3, &reporter), -EINVAL);
	assert_string_equal(diagnostics,
			    "b.toml:12: devices.passthrough_devices[0]: 'rtc' claims a host page that a.toml:12 ('uart') claims too: a host device has one owner\n"
			    "b.toml:13: devices.passthrough_devices[1]: 'gpio' claims a physical interrupt that a.toml:12 ('uart') claims too: a host device has one owner\n"
			    "b.toml:13: devices.passthrough_devices[2]: '/soc/i2c@1000' claims a device-tree node that a.toml:12 ('/soc') claims too: a host device has one owner\n");
#undef OTHER
}

static void test_unique_across_configs(void **state)
{
	setup(NULL);
	assert_int_equal(parse(&configs[0], "a.toml", BASE KERNEL RAM), 0);
	assert_int_equal(parse(&configs[1], "b.toml", "[base]\nid = 2\nname = \"other\"\nvm_type = 1\ncpu_num = 1\n" KERNEL RAM), 0);
	assert_int_equal(parse(&configs[2], "c.toml", "# c\n[base]\nid = 1\nname = \"other\"\nvm_type = 1\ncpu_num = 1\n" KERNEL RAM), 0);
	assert_int_equal(config_check_unique(configs, 2, &reporter), 0);
	assert_int_equal(config_check_unique(configs, 3, &reporter), -EINVAL);
	assert_string_equal(diagnostics, "c.toml:3: base.id: VM id 1 is also used by a.toml:2\n"
					 "c.toml:4: base.name: VM name \"other\" is also used by b.toml:3\n");
}

static void test_virtio_blk_backends(void **state)
{
	struct config_blk_backend b;
	const char *why;
	assert_int_equal(config_blk_backend("vda@disk1p2", &b, &why), 0);
	assert_int_equal(b.kind, CONFIG_BLK_PARTITION);
	assert_int_equal(b.disk, 1);
	assert_int_equal(b.partition, 2);
	assert_false(b.read_only);
	assert_int_equal(config_blk_backend("root@disk0:ro", &b, &why), 0);
	assert_int_equal(b.kind, CONFIG_BLK_DISK);
	assert_true(b.read_only);
	assert_int_equal(config_blk_backend("x@/guest/root.img:ro", &b, &why), 0);
	assert_int_equal(b.kind, CONFIG_BLK_FILE);
	assert_string_equal(b.path, "/guest/root.img");
	assert_true(b.read_only);
	char name[32];
	config_blk_backend_name(&b, name, sizeof(name));
	assert_string_equal(name, "/guest/root.img:ro");
	const char *bad[] = { "vda", "vda@", "vda@disk", "vda@disk1p0", "vda@disk1p", "vda@disk1x", "vda@disk1234",
			      "vda@guest/root.img", "vda@disk1p2:rw" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(config_blk_backend(bad[i], &b, &why), -EINVAL);

	struct config_blk_backend disk1, p1, p2, p2_ro, file, file_ro;
	assert_int_equal(config_blk_backend("a@disk1", &disk1, &why), 0);
	assert_int_equal(config_blk_backend("a@disk1p1", &p1, &why), 0);
	assert_int_equal(config_blk_backend("a@disk1p2", &p2, &why), 0);
	assert_int_equal(config_blk_backend("a@disk1p2:ro", &p2_ro, &why), 0);
	assert_int_equal(config_blk_backend("a@/f.img", &file, &why), 0);
	assert_int_equal(config_blk_backend("a@/f.img:ro", &file_ro, &why), 0);
	assert_true(config_blk_backends_overlap(&disk1, &p1));
	assert_false(config_blk_backends_overlap(&p1, &p2));
	assert_true(config_blk_backends_overlap(&p2, &p2_ro));
	assert_true(config_blk_backends_overlap(&file, &file_ro));
	assert_false(config_blk_backends_overlap(&file, &disk1));

	/* In one config: a missing backend, a short window, no interrupt, a written partition twice. */
	assert_string_equal(
		check(BASE KERNEL RAM "[devices]\n"
				      "emu_devices = [['vda', 0xa00_0000, 0x200, 0x30, 0xE1, []],\n"
				      "  ['vdb@disk1p2', 0xa00_0200, 0x100, 0x31, 0xE1, []],\n"
				      "  ['vdc@disk1p1:ro', 0xa00_0400, 0x200, 0, 0xE1, []],\n"
				      "  ['vdd@disk1', 0xa00_0600, 0x200, 0x33, 0xE1, []]]\n",
		      NULL),
		"vm.toml:12: devices.emu_devices[0]: virtio-blk 'vda': no backend named: write it after '@' (\"vda@disk1p2\", \"vda@/guest/root.img\")\n"
		"vm.toml:13: devices.emu_devices[1]: virtio-blk 'vdb@disk1p2': its window is 0x100 bytes; virtio-mmio needs 0x200 (registers and configuration space)\n"
		"vm.toml:14: devices.emu_devices[2]: virtio-blk 'vdc@disk1p1:ro' needs an interrupt\n"
		"vm.toml:15: devices.emu_devices[3]: virtio-blk 'vdd@disk1' reaches sectors emu_devices[1] 'vdb@disk1p2' reaches too, and one of them writes\n"
		"vm.toml:15: devices.emu_devices[3]: virtio-blk 'vdd@disk1' reaches sectors emu_devices[2] 'vdc@disk1p1:ro' reaches too, and one of them writes\n");
}

static void test_virtio_console(void **state)
{
	/* The form docs/config.md gives is valid, with or without a UART beside it. */
	assert_string_equal(check(BASE KERNEL RAM "[devices]\n"
						  "emu_devices = [['hvc0', 0xa00_0000, 0x200, 0x30, 0xE3, []],\n"
						  "  ['pl011', 0x900_0000, 0x1000, 0x21, 0x2, []]]\n",
				  NULL),
			    "");
	/* A short window and no interrupt, each on its own line. */
	assert_string_equal(check(BASE KERNEL RAM "[devices]\n"
						  "emu_devices = [['hvc0', 0xa00_0000, 0x100, 0x30, 0xE3, []],\n"
						  "  ['hvc1', 0xa00_0200, 0x200, 0, 0xE3, []]]\n",
				  NULL),
			    "vm.toml:12: devices.emu_devices[0]: virtio-console 'hvc0': its window is 0x100 bytes; virtio-mmio "
			    "needs 0x200 (registers and configuration space)\n"
			    "vm.toml:13: devices.emu_devices[1]: virtio-console 'hvc1' needs an interrupt\n");
	assert_string_equal(config_emu_type_name(VM_EMU_VIRTIO_CONSOLE), "virtio-console");
}

static void test_power_button(void **state)
{
	/* The form docs/config.md gives is valid; a second button, a short window and no interrupt are not. */
	assert_string_equal(check(BASE KERNEL RAM "[devices]\n"
						  "emu_devices = [['power', 0xa00_0000, 0x200, 0x30, 0xE4, []]]\n",
				  NULL),
			    "");
	assert_string_equal(check(BASE KERNEL RAM "[devices]\n"
						  "emu_devices = [['power', 0xa00_0000, 0x200, 0x30, 0xE4, []],\n"
						  "  ['power2', 0xa00_0200, 0x100, 0, 0xE4, []]]\n",
				  NULL),
			    "vm.toml:13: devices.emu_devices[1]: virtio-input power button 'power2': its window is 0x100 bytes; "
			    "virtio-mmio needs 0x200 (registers and configuration space)\n"
			    "vm.toml:13: devices.emu_devices[1]: virtio-input power button 'power2' needs an interrupt\n"
			    "vm.toml:13: devices.emu_devices[1]: a second power button ('power' is the first): a VM has one\n");
	assert_true(config_emu_type_is_virtio(VM_EMU_VIRTIO_POWER_BUTTON));
}

static void test_virtio_net(void **state)
{
	/* The forms docs/config.md gives are valid: the default segment, a named one, a fixed MAC, a
	 * storm limit of its own with a derived MAC or with a fixed one. */
	assert_string_equal(check(BASE KERNEL RAM "[devices]\n"
						  "emu_devices = [['eth0', 0xa00_0000, 0x200, 0x30, 0xE2, []],\n"
						  "  ['eth1@lab', 0xa00_0200, 0x200, 0x31, 0xE2, [0x02_00_00_00_00_02]],\n"
						  "  ['eth2@lab', 0xa00_0400, 0x200, 0x32, 0xE2, [0, 100]],\n"
						  "  ['eth3@lab', 0xa00_0600, 0x200, 0x33, 0xE2, [0x02_00_00_00_00_03, 1000000]]]\n",
				  NULL),
			    "");
	/* Bad segment names, a group or over-long MAC, three words, a short window, no interrupt, a
	 * MAC another NIC of the VM has (VM 1's eighth NIC's derived MAC, 02:74:73:00:01:07), storm
	 * limits of none and of more than a million frames a second. */
	assert_string_equal(
		check(BASE KERNEL RAM "[devices]\n"
				      "emu_devices = [['eth0@', 0xa00_0000, 0x200, 0x30, 0xE2, []],\n"
				      "  ['eth1@a.b', 0xa00_0200, 0x200, 0x31, 0xE2, []],\n"
				      "  ['eth2@a-name-too-long-here', 0xa00_0400, 0x200, 0x32, 0xE2, []],\n"
				      "  ['eth3', 0xa00_0600, 0x200, 0x33, 0xE2, [0x01_00_5e_00_00_01]],\n"
				      "  ['eth4', 0xa00_0800, 0x200, 0x34, 0xE2, [0x1_00_00_00_00_00_00]],\n"
				      "  ['eth5', 0xa00_0a00, 0x200, 0x35, 0xE2, [2, 3, 4]],\n"
				      "  ['eth6', 0xa00_0c00, 0x100, 0x36, 0xE2, []],\n"
				      "  ['eth7', 0xa00_0e00, 0x200, 0, 0xE2, []],\n"
				      "  ['eth8', 0xa00_1000, 0x200, 0x38, 0xE2, [0x02_74_73_00_01_07]],\n"
				      "  ['eth9', 0xa00_1200, 0x200, 0x39, 0xE2, [0, 0]],\n"
				      "  ['eth10', 0xa00_1400, 0x200, 0x3a, 0xE2, [0, 1000001]]]\n",
		      NULL),
		"vm.toml:12: devices.emu_devices[0]: virtio-net 'eth0@': the switch segment after '@' is not 1-15 letters, "
		"digits, '-' or '_' (\"eth0@lan\")\n"
		"vm.toml:13: devices.emu_devices[1]: virtio-net 'eth1@a.b': the switch segment after '@' is not 1-15 letters, "
		"digits, '-' or '_' (\"eth0@lan\")\n"
		"vm.toml:14: devices.emu_devices[2]: virtio-net 'eth2@a-name-too-long-here': the switch segment after '@' is not "
		"1-15 letters, digits, '-' or '_' (\"eth0@lan\")\n"
		"vm.toml:15: devices.emu_devices[3]: virtio-net 'eth3': the MAC (the first config word) is not a station's: "
		"48 bits, the first octet's group bit clear (0x02_00_00_00_00_01 is 02:00:00:00:00:01; 0 derives one)\n"
		"vm.toml:16: devices.emu_devices[4]: virtio-net 'eth4': the MAC (the first config word) is not a station's: "
		"48 bits, the first octet's group bit clear (0x02_00_00_00_00_01 is 02:00:00:00:00:01; 0 derives one)\n"
		"vm.toml:17: devices.emu_devices[5]: virtio-net 'eth5': a virtio-net device takes at most two config words, "
		"its MAC and its broadcast/multicast frames a second\n"
		"vm.toml:18: devices.emu_devices[6]: virtio-net 'eth6': its window is 0x100 bytes; virtio-mmio needs 0x200 "
		"(registers and configuration space)\n"
		"vm.toml:19: devices.emu_devices[7]: virtio-net 'eth7' needs an interrupt\n"
		"vm.toml:20: devices.emu_devices[8]: virtio-net 'eth8' has the MAC of emu_devices[7] 'eth7'\n"
		"vm.toml:21: devices.emu_devices[9]: virtio-net 'eth9': the broadcast/multicast frames a second (the second "
		"config word) are not 1 to 1000000\n"
		"vm.toml:22: devices.emu_devices[10]: virtio-net 'eth10': the broadcast/multicast frames a second (the second "
		"config word) are not 1 to 1000000\n");
	assert_string_equal(config_emu_type_name(VM_EMU_VIRTIO_NET), "virtio-net");
}

static void test_names(void **state)
{
	assert_string_equal(config_image_kind_name(VM_IMAGE_RAMDISK), "ramdisk");
	assert_string_equal(config_interrupt_mode_name(VM_INTERRUPTS_EMULATED), "emu");
	assert_string_equal(config_emu_type_name(VM_EMU_VIRTIO_BLOCK), "virtio-blk");
	assert_null(config_emu_type_name(0x3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_realistic_config, setup),
		cmocka_unit_test_setup(test_defaults, setup),
		cmocka_unit_test_setup(test_syntax_error, setup),
		cmocka_unit_test_setup(test_missing_and_unknown_keys, setup),
		cmocka_unit_test_setup(test_wrong_types, setup),
		cmocka_unit_test_setup(test_keep_ram_on_reset, setup),
		cmocka_unit_test_setup(test_base_rules, setup),
		cmocka_unit_test_setup(test_cpu_rules, setup),
		cmocka_unit_test_setup(test_memory_rules, setup),
		cmocka_unit_test_setup(test_host_memory_rule, setup),
		cmocka_unit_test_setup(test_image_rules, setup),
		cmocka_unit_test_setup(test_image_fits, setup),
		cmocka_unit_test_setup(test_device_rules, setup),
		cmocka_unit_test_setup(test_limits, setup),
		cmocka_unit_test_setup(test_unique_across_configs, setup),
		cmocka_unit_test_setup(test_one_owner_across_configs, setup),
		cmocka_unit_test_setup(test_virtio_blk_backends, setup),
		cmocka_unit_test_setup(test_virtio_console, setup),
		cmocka_unit_test_setup(test_power_button, setup),
		cmocka_unit_test_setup(test_virtio_net, setup),
		cmocka_unit_test_setup(test_names, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
