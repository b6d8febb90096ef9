/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: config_parse + config_validate + config_check_image_fits on arbitrary bytes. The arena
 * is sized like the hypervisor's so running out of it is exercised too. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vmm/config.h"

static void ignore(void *ctx, enum config_severity severity, const char *message)
{
	/* Touch the message so a missing terminator shows up under ASan. */
	(void)ctx;
	(void)severity;
	(void)strlen(message);
}

/* A check fails exactly when it reported an error: the VMM reads the one, the tool the other. */
static void check_agrees(int err, unsigned *errors, const struct config_reporter *reporter)
{
	if ((err != 0) != (reporter->errors != *errors))
		__builtin_trap();
	*errors = reporter->errors;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char arena_memory[1 << 16];
	static struct vm_config config;
	static const uint64_t mpidrs[] = { 0, 1, 0x100, 0x101 };
	static const struct config_host_range host_ram[] = { { 0x40000000, 0x80000000 } };
	static const struct config_platform platform = {
		.cpu_count = 4, .cpu_hardware_ids = mpidrs, .cpu_hardware_id_count = 4,
		.host_memory = host_ram, .host_memory_count = 1,
	};
	struct toml_arena arena;
	struct config_reporter reporter = { .report = ignore };

	toml_arena_init(&arena, arena_memory, sizeof(arena_memory));
	if (config_parse("fuzz.toml", (const char *)data, size, &arena, &config, &reporter) != 0)
		return 0;
	unsigned errors = reporter.errors;
	check_agrees(config_validate(&config, &platform, &reporter), &errors, &reporter);
	check_agrees(config_validate(&config, NULL, &reporter), &errors, &reporter);
	check_agrees(config_check_unique(&config, 1, &reporter), &errors, &reporter);
	for (int kind = 0; kind < VM_IMAGE_KIND_COUNT; kind++)
		check_agrees(config_check_image_fits(&config, kind, size, &reporter), &errors, &reporter);
	return 0;
}
