/* SPDX-License-Identifier: Apache-2.0 */
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

void vmm_config_set_init(struct vmm_config_set *set, const struct config_platform *platform, struct vm_config *out,
			 int max, void *arena_memory, size_t arena_size)
{
	*set = (struct vmm_config_set){
		.platform = platform,
		.configs = out,
		.max = max,
		.reporter = { .report = log_diagnostic },
	};
	toml_arena_init(&set->arena, arena_memory, arena_size);
}

int vmm_config_set_add(struct vmm_config_set *set, const char *file_name, const char *text, size_t length)
{
	struct config_reporter *reporter = &set->reporter;
	if (set->count == set->max) {
		log_error("%s: skipped: only %d VMs can be configured", file_name, set->max);
		return -ENOSPC;
	}
	size_t arena_mark = set->arena.used;
	struct vm_config *candidate = &set->configs[set->count];
	unsigned errors_before = reporter->errors;
	int err = config_parse(file_name, text, length, &set->arena, candidate, reporter);
	if (err == 0)
		err = config_validate(candidate, set->platform, reporter);
	if (err == 0)
		err = config_check_unique_against(candidate, set->configs, (size_t)set->count, reporter);
	if (err == 0) {
		set->count++;
		return 0;
	}
	log_error("%s: skipped: %u error%s in the config", file_name, reporter->errors - errors_before,
		  reporter->errors - errors_before == 1 ? "" : "s");
	set->arena.used = arena_mark; /* nothing of the rejected config stays referenced */
	return -EINVAL;
}

void vmm_config_set_add_builtin(struct vmm_config_set *set)
{
	for (size_t i = 0; i < builtin_vm_config_count; i++) {
		const struct builtin_vm_config *b = &builtin_vm_configs[i];
		/* A config it skips, it logs; the others are added all the same. */
		(void)vmm_config_set_add(set, b->file_name, b->text, b->length);
	}
}

int vmm_load_configs(const struct config_platform *platform, struct vm_config *out, int max, void *arena_memory,
		     size_t arena_size)
{
	struct vmm_config_set set;
	if (max < 0)
		return -EINVAL;
	vmm_config_set_init(&set, platform, out, max, arena_memory, arena_size);
	vmm_config_set_add_builtin(&set);
	return set.count;
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
