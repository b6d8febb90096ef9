/* SPDX-License-Identifier: Apache-2.0 */
/* vmconfig: checks and prints Tessera/AxVisor VM config files on the build host, with the same
 * parser and validator the hypervisor runs at boot.
 *
 *   vmconfig check [--cpus N | --platform BOARD.dtb] [--arch A] FILE...
 *                                       report every error and warning; exit 1 on any error;
 *                                       VM ids and names must also be unique across the FILEs of
 *                                       one arch (configs of different arches never run together).
 *                                       A file's arch is --arch, else the arch its name contains
 *                                       (AxVisor's names do: linux-aarch64-qemu-smp1.toml); a file
 *                                       whose arch is unknown is compared with every other.
 *   vmconfig show [--cpus N] FILE       the config as TOML with every default filled in
 *   vmconfig platform BOARD.dtb         what the hypervisor's bring-up finds in a board's device
 *                                       tree (memory, CPUs, interrupt controller, timer, console)
 *                                       and "cannot drive: ..." lines; exit 1 if there are any.
 *   vmconfig files [--cpus N] FILE      for image_location = "memory": "key<TAB>absolute path" per
 *                                       image, paths relative to FILE's directory; exit 1 if one is
 *                                       missing. Prints nothing for "fs" configs.
 *
 * Without --cpus the platform is unknown and CPU numbers are not checked against it. With
 * --platform, the board's device tree gives the CPUs (and their hardware ids) and RAM, and check
 * also finds passthrough and excluded paths in it, and each passthrough window and interrupt, and
 * that no device of the board goes to two of the FILEs. */
#define _DEFAULT_SOURCE /* realpath */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmconfig.h"

struct loaded_config {
	char *text;
	void *arena_memory;
};

static const char *const arches[] = { "aarch64", "riscv64", "x86_64" };

/* The arch a config file is for: the one given, else the one its base name contains; NULL when
 * neither tells. */
static const char *arch_of(const char *path, const char *given)
{
	if (given)
		return given;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++) {
		if (strstr(base, arches[i]))
			return arches[i];
	}
	return NULL;
}

static void print_diagnostic(void *ctx, enum config_severity severity, const char *message)
{
	(void)ctx;
	fprintf(stderr, "%s%s\n", severity == CONFIG_WARNING ? "warning: " : "", message);
}

static char *read_file(const char *path, size_t *length)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *text = NULL;
	size_t size = 0, capacity = 0, n;
	do {
		if (size == capacity) {
			capacity = capacity ? capacity * 2 : 4096;
			char *bigger = realloc(text, capacity);
			if (!bigger) {
				free(text);
				fclose(f);
				return NULL;
			}
			text = bigger;
		}
		n = fread(text + size, 1, capacity - size, f);
		size += n;
	} while (n > 0);
	bool failed = ferror(f);
	fclose(f);
	if (failed) {
		free(text);
		return NULL;
	}
	*length = size;
	return text;
}

/* Parses and validates one file; returns 0 when it has no errors. */
/* Reads, parses and validates one config; with a board, also checks it against the board's tree
 * (even when validation found errors: every problem is reported at once). */
static int load(const char *path, const struct config_platform *platform, struct vm_config *config,
		struct loaded_config *loaded, struct config_reporter *reporter, const struct vmconfig_board *board)
{
	size_t length;
	loaded->text = read_file(path, &length);
	if (!loaded->text) {
		fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
		reporter->errors++;
		return -1;
	}
	size_t arena_size = 16 * length + 65536;
	loaded->arena_memory = malloc(arena_size);
	if (!loaded->arena_memory) {
		fprintf(stderr, "%s: out of memory\n", path);
		reporter->errors++;
		return -1;
	}
	struct toml_arena arena;
	toml_arena_init(&arena, loaded->arena_memory, arena_size);
	if (config_parse(path, loaded->text, length, &arena, config, reporter))
		return -1;
	int invalid = config_validate(config, platform, reporter);
	unsigned errors = reporter->errors;
	if (board)
		vmconfig_board_check(board, config, reporter);
	return invalid || reporter->errors != errors ? -1 : 0;
}

static int check(int count, char **files, const struct config_platform *platform, const char *arch,
		 const struct vmconfig_board *board)
{
	struct config_reporter reporter = { .report = print_diagnostic };
	struct vm_config *configs = calloc((size_t)count, sizeof(*configs));
	struct loaded_config *loaded = calloc((size_t)count, sizeof(*loaded));
	const char **config_arch = calloc((size_t)count, sizeof(*config_arch));
	struct vm_config *same_arch = calloc((size_t)count, sizeof(*same_arch));
	size_t good = 0;
	if (!configs || !loaded || !config_arch || !same_arch) {
		fprintf(stderr, "vmconfig: out of memory\n");
		return 1;
	}
	for (int i = 0; i < count; i++) {
		/* Only configs without errors take part in the cross-file checks: broken ones have holes. */
		if (load(files[i], platform, &configs[good], &loaded[i], &reporter, board) == 0)
			config_arch[good++] = arch_of(files[i], arch);
	}
	if (board)
		vmconfig_board_check_owners(board, configs, good, &reporter);
	/* Each clash is reported once, on the later config, against the earlier ones of its arch. */
	for (size_t i = 1; i < good; i++) {
		size_t n = 0;
		for (size_t j = 0; j < i; j++) {
			if (!config_arch[i] || !config_arch[j] || strcmp(config_arch[i], config_arch[j]) == 0)
				same_arch[n++] = configs[j];
		}
		/* What clashes is reported and counted in reporter.errors, which makes the exit status. */
		(void)config_check_unique_against(&configs[i], same_arch, n, &reporter);
	}
	free(config_arch);
	free(same_arch);
	for (int i = 0; i < count; i++) {
		free(loaded[i].text);
		free(loaded[i].arena_memory);
	}
	free(configs);
	free(loaded);
	return reporter.errors ? 1 : 0;
}

static int show(const char *file, const struct config_platform *platform)
{
	struct config_reporter reporter = { .report = print_diagnostic };
	static struct vm_config config;
	struct loaded_config loaded = { 0 };
	int rc = load(file, platform, &config, &loaded, &reporter, NULL);
	if (rc == 0)
		vmconfig_show(stdout, &config);
	free(loaded.text);
	free(loaded.arena_memory);
	return rc ? 1 : 0;
}

/* Resolves `path` against the directory of `config_file` unless it is absolute. */
static void resolve(char *out, size_t size, const char *config_file, const char *path)
{
	const char *slash = strrchr(config_file, '/');
	if (path[0] == '/' || !slash)
		snprintf(out, size, "%s", path);
	else
		snprintf(out, size, "%.*s/%s", (int)(slash - config_file), config_file, path);
}

static int files(const char *file, const struct config_platform *platform)
{
	struct config_reporter reporter = { .report = print_diagnostic };
	static struct vm_config config;
	struct loaded_config loaded = { 0 };
	int status = 0;
	if (load(file, platform, &config, &loaded, &reporter, NULL)) {
		status = 1;
	} else if (config.kernel.image_location.value == VM_IMAGE_IN_MEMORY) {
		for (int kind = 0; kind < VM_IMAGE_KIND_COUNT; kind++) {
			const struct vm_image *image = &config.kernel.images[kind];
			char joined[PATH_MAX], absolute[PATH_MAX];
			if (!image->path.value)
				continue;
			resolve(joined, sizeof(joined), file, image->path.value);
			FILE *f = realpath(joined, absolute) ? fopen(absolute, "rb") : NULL;
			if (!f) {
				fprintf(stderr, "%s: kernel.%s_path: cannot read '%s'\n", file, config_image_kind_name(kind),
					joined);
				status = 1;
				continue;
			}
			fclose(f);
			printf("%s_path\t%s\n", config_image_kind_name(kind), absolute);
		}
	}
	free(loaded.text);
	free(loaded.arena_memory);
	return status;
}

static int usage(void)
{
	fprintf(stderr, "usage: vmconfig check [--arch A] [--cpus N | --platform BOARD.dtb] FILE...\n"
			"       vmconfig show [--cpus N] FILE\n"
			"       vmconfig files [--cpus N] FILE\n"
			"       vmconfig platform BOARD.dtb\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct config_platform platform = { 0 };
	const struct config_platform *known_platform = NULL;
	if (argc < 2)
		return usage();
	const char *command = argv[1];
	const char *arch = NULL;
	int first = 2;
	while (first + 1 < argc && strcmp(argv[first], "--arch") == 0) {
		arch = NULL;
		for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++) {
			if (strcmp(argv[first + 1], arches[i]) == 0)
				arch = arches[i];
		}
		if (!arch) {
			fprintf(stderr, "vmconfig: --arch is aarch64, riscv64 or x86_64, not '%s'\n", argv[first + 1]);
			return 2;
		}
		first += 2;
	}
	while (first < argc && strcmp(argv[first], "--cpus") == 0) {
		char *end;
		if (first + 1 >= argc)
			return usage();
		long cpus = strtol(argv[first + 1], &end, 0);
		if (*end || cpus <= 0 || cpus > 4096) {
			fprintf(stderr, "vmconfig: --cpus needs a CPU count, not '%s'\n", argv[first + 1]);
			return 2;
		}
		platform.cpu_count = (unsigned)cpus;
		known_platform = &platform;
		first += 2;
	}
	struct vmconfig_board board = { 0 };
	if (first + 1 < argc && strcmp(argv[first], "--platform") == 0) {
		if (vmconfig_board_load(&board, argv[first + 1], &platform) < 0)
			return 2;
		known_platform = &platform;
		first += 2;
	}
	int count = argc - first;
	if (strcmp(command, "check") == 0 && count >= 1)
		return check(count, argv + first, known_platform, arch, board.tree ? &board : NULL);
	if (strcmp(command, "show") == 0 && count == 1)
		return show(argv[first], known_platform);
	if (strcmp(command, "files") == 0 && count == 1)
		return files(argv[first], known_platform);
	if (strcmp(command, "platform") == 0 && count == 1)
		return vmconfig_platform(argv[first]);
	return usage();
}
