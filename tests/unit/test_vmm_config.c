/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/vmm/vmm_config.c: built-in configs are parsed at boot, broken or clashing ones
 * are skipped with log lines, and built-in images are found by config and kind. The generated tables
 * and the kernel log are replaced by fakes here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/log.h"
#include "lib/errno.h"
#include "vmm/builtin.h"

#define VM(id, name, extra)                                                                             \
	"[base]\nid = " #id "\nname = \"" name "\"\nvm_type = 1\ncpu_num = 1\n[kernel]\n" extra            \
	"entry_point = 0x4000_0000\nkernel_path = 'k.bin'\nkernel_load_addr = 0x4000_0000\n"           \
	"memory_regions = [[0x4000_0000, 0x10_0000, 7, 0]]\n"

static const char good_a[] = VM(1, "a", "image_location = 'memory'\ndtb_path = 'a.dtb'\ndtb_load_addr = 0x4008_0000\n");
static const char broken[] = VM(2, "b", "entry_point = 1\n"); /* duplicate key */
static const char clash[] = VM(1, "c", "");                /* id 1 again */
static const char good_d[] = VM(4, "d", "bogus = 1\n");    /* only a warning */
static const uint8_t kernel_bytes[] = { 1, 2, 3 }, dtb_bytes[] = { 4 };

const struct builtin_vm_config builtin_vm_configs[] = {
	{ "a.toml", good_a, sizeof(good_a) - 1 },
	{ "b.toml", broken, sizeof(broken) - 1 },
	{ "c.toml", clash, sizeof(clash) - 1 },
	{ "d.toml", good_d, sizeof(good_d) - 1 },
};
const size_t builtin_vm_config_count = 4;
const struct builtin_vm_file builtin_vm_files[] = {
	{ 0, "kernel_path", "/x/k.bin", kernel_bytes, sizeof(kernel_bytes) },
	{ 0, "dtb_path", "/x/a.dtb", dtb_bytes, sizeof(dtb_bytes) },
};
const size_t builtin_vm_file_count = 2;

static char log_text[4096];

void log_write(int level, const char *file, int line, const char *fmt, ...)
{
	size_t used = strlen(log_text);
	used += snprintf(log_text + used, sizeof(log_text) - used, "%s ", level == LOG_LEVEL_ERROR ? "E" : "W");
	va_list ap;
	va_start(ap, fmt);
	used += vsnprintf(log_text + used, sizeof(log_text) - used, fmt, ap);
	va_end(ap);
	snprintf(log_text + used, sizeof(log_text) - used, "\n");
}

static char arena[1 << 16];
static struct vm_config configs[4];

static void test_load_skips_bad_configs(void **state)
{
	log_text[0] = '\0';
	int n = vmm_load_configs(NULL, configs, 4, arena, sizeof(arena));
	assert_int_equal(n, 2);
	assert_string_equal(configs[0].base.name.value, "a");
	assert_string_equal(configs[1].base.name.value, "d");
	assert_string_equal(log_text, "E b.toml:8:1: duplicate key 'entry_point'\n"
				      "E b.toml: skipped: 1 error in the config\n"
				      "E c.toml:2: base.id: VM id 1 is also used by a.toml:2\n"
				      "E c.toml: skipped: 1 error in the config\n"
				      "W d.toml:7: kernel.bogus: unknown key (ignored)\n");
}

static void test_max_and_arena_limits(void **state)
{
	log_text[0] = '\0';
	assert_int_equal(vmm_load_configs(NULL, configs, 1, arena, sizeof(arena)), 1);
	assert_string_equal(log_text + strlen(log_text) - strlen("E d.toml: skipped: only 1 VMs can be configured\n"),
			    "E d.toml: skipped: only 1 VMs can be configured\n");
	assert_int_equal(vmm_load_configs(NULL, configs, -1, arena, sizeof(arena)), -EINVAL);
	/* An arena too small for any config: every one is skipped, nothing overflows. */
	log_text[0] = '\0';
	assert_int_equal(vmm_load_configs(NULL, configs, 4, arena, 256), 0);
	assert_non_null(strstr(log_text, "out of memory"));
}

static void test_builtin_images(void **state)
{
	assert_int_equal(vmm_load_configs(NULL, configs, 4, arena, sizeof(arena)), 2);
	const struct builtin_vm_file *k = vmm_builtin_image(&configs[0], VM_IMAGE_KERNEL);
	assert_non_null(k);
	assert_ptr_equal(k->data, kernel_bytes);
	assert_int_equal(vmm_builtin_image(&configs[0], VM_IMAGE_DTB)->size, 1);
	assert_null(vmm_builtin_image(&configs[0], VM_IMAGE_RAMDISK));
	assert_null(vmm_builtin_image(&configs[1], VM_IMAGE_KERNEL)); /* image_location = "fs" */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_skips_bad_configs),
		cmocka_unit_test(test_max_and_arena_limits),
		cmocka_unit_test(test_builtin_images),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
