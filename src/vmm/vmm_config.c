/* Reads the configs built into the hypervisor at boot (see include/vmm/builtin.h): parse, validate,
 * drop the broken ones with a log line each, keep the rest for vmm_init. */
#include "kernel/log.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "vmm/builtin.h"

static void log_diagnostic(void *ctx, enum config_severity severity, const char *message)
{
	if (severity == CONFIG_ERROR)
		log_error("%s", message);
	else
		log_warn("%s", message);
}

int vmm_load_configs(const struct config_platform *platform, struct vm_config *out, int max, void *arena_memory,
		     size_t arena_size)
{
	struct config_reporter reporter = { .report = log_diagnostic };
	struct toml_arena arena;
	int good = 0;
	if (max < 0)
		return -EINVAL;
	toml_arena_init(&arena, arena_memory, arena_size);
	for (size_t i = 0; i < builtin_vm_config_count; i++) {
		const struct builtin_vm_config *b = &builtin_vm_configs[i];
		if (good == max) {
			log_error("%s: skipped: only %d VMs can be configured", b->file_name, max);
			continue;
		}
		size_t arena_mark = arena.used;
		struct vm_config *candidate = &out[good];
		unsigned errors_before = reporter.errors;
		if (config_parse(b->file_name, b->text, b->length, &arena, candidate, &reporter) == 0)
			config_validate(candidate, platform, &reporter);
		if (reporter.errors == errors_before && config_check_unique_against(candidate, out, (size_t)good, &reporter) == 0) {
			good++;
			continue;
		}
		log_error("%s: skipped: %u error%s in the config", b->file_name, reporter.errors - errors_before,
			  reporter.errors - errors_before == 1 ? "" : "s");
		arena.used = arena_mark; /* nothing of the rejected config stays referenced */
	}
	return good;
}

const struct builtin_vm_file *vmm_builtin_image(const struct vm_config *config, enum vm_image_kind kind)
{
	if (config->kernel.image_location.value != VM_IMAGE_IN_MEMORY || kind >= VM_IMAGE_KIND_COUNT)
		return NULL;
	const char *name = config_image_kind_name(kind);
	size_t name_length = strlen(name);
	for (size_t i = 0; i < builtin_vm_file_count; i++) {
		const struct builtin_vm_file *f = &builtin_vm_files[i];
		/* config->file_name points at the table's own string, so identity picks the config. */
		if (builtin_vm_configs[f->config_index].file_name != config->file_name)
			continue;
		if (strncmp(f->key, name, name_length) == 0 && strcmp(f->key + name_length, "_path") == 0)
			return f;
	}
	return NULL;
}
