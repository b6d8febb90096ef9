/* SPDX-License-Identifier: Apache-2.0 */
/* Every config in configs/vms/ must pass the checker with no error and no warning on a 4-CPU
 * platform, and `vmconfig show` of it must be a fixed point (show(parse(show(x))) == show(x)), so the
 * normalized form is itself a valid config meaning the same thing. Runs from the repository root. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../tools/vmconfig/vmconfig.h"

#define CONFIG_DIR "configs/vms"

static char arena_memory[1 << 20];
static struct vm_config config;

static void print(void *ctx, enum config_severity severity, const char *message)
{
	fprintf(stderr, "%s\n", message);
}

static char *slurp(const char *path, size_t *length)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char buffer[1 << 16];
	*length = fread(buffer, 1, sizeof(buffer) - 1, f);
	fclose(f);
	buffer[*length] = '\0';
	return buffer;
}

/* Parses and validates text; returns the normalized form (caller frees). */
static char *normalize(const char *name, const char *text, size_t length)
{
	static const struct config_platform platform = { .cpu_count = 4 };
	struct config_reporter reporter = { .report = print };
	struct toml_arena arena;
	toml_arena_init(&arena, arena_memory, sizeof(arena_memory));
	assert_int_equal(config_parse(name, text, length, &arena, &config, &reporter), 0);
	assert_int_equal(config_validate(&config, &platform, &reporter), 0);
	assert_int_equal(reporter.warnings, 0);
	char *out = NULL;
	size_t out_length = 0;
	FILE *stream = open_memstream(&out, &out_length);
	vmconfig_show(stream, &config);
	fclose(stream);
	return out;
}

static void test_every_example_config(void **state)
{
	DIR *dir = opendir(CONFIG_DIR);
	assert_non_null(dir);
	int checked = 0;
	for (struct dirent *e; (e = readdir(dir));) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 5, ".toml") != 0)
			continue;
		char path[512];
		snprintf(path, sizeof(path), CONFIG_DIR "/%s", e->d_name);
		size_t length;
		const char *text = slurp(path, &length);
		char *first = normalize(path, text, length);
		char *second = normalize(path, first, strlen(first));
		assert_string_equal(first, second);
		free(first);
		free(second);
		checked++;
	}
	closedir(dir);
	assert_true(checked >= 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_example_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
