/* SPDX-License-Identifier: Apache-2.0 */
/* The shell's look at the hypervisor's FAT32 disk (see fs/disk.h): `ls` and `cat`. Read only. */
#include "shell_internal.h"
#include "fs/disk.h"
#include "lib/string.h"

/* `cat` shows files up to this size whole; longer ones are cut, and say so. */
#define CAT_MAX (256 * 1024)

static int list_entry(void *ctx, const struct fat32_entry *entry)
{
	(void)ctx;
	if (entry->is_directory)
		shell_printf("  %-40s <dir>\n", entry->name);
	else
		shell_printf("  %-40s %llu\n", entry->name, (unsigned long long)entry->size);
	return 0;
}

static void ls(int argc, char **argv)
{
	if (argc > 2) {
		shell_printf("ls: give one directory at most\n");
		return;
	}
	const char *path = argc == 2 ? argv[1] : "/";
	struct fat32_file dir;
	if (disk_open(path, &dir) < 0) {
		shell_printf("ls %s: %s\n", path, disk_error());
		return;
	}
	if (!dir.is_directory) {
		shell_printf("  %-40s %llu\n", path, (unsigned long long)dir.size);
		return;
	}
	if (fat32_list(&dir, list_entry, NULL) < 0)
		shell_printf("ls %s: %s\n", path, disk_error());
}

static void cat(int argc, char **argv)
{
	if (argc != 2) {
		shell_printf("cat: give one file\n");
		return;
	}
	struct fat32_file file;
	if (disk_open(argv[1], &file) < 0) {
		shell_printf("cat %s: %s\n", argv[1], disk_error());
		return;
	}
	if (file.is_directory) {
		shell_printf("cat %s: a directory (ls shows it)\n", argv[1]);
		return;
	}
	char chunk[512], last = '\n';
	uint64_t length = file.size < CAT_MAX ? file.size : CAT_MAX;
	for (uint64_t offset = 0; offset < length;) {
		uint64_t want = length - offset < sizeof(chunk) ? length - offset : sizeof(chunk);
		int64_t got = fat32_read(&file, offset, chunk, want);
		if (got <= 0) {
			shell_printf("\ncat %s: cannot read it: %s\n", argv[1], disk_error());
			return;
		}
		console_write(chunk, (size_t)got);
		last = chunk[got - 1];
		offset += (uint64_t)got;
	}
	if (last != '\n')
		shell_printf("\n");
	if (length < file.size)
		shell_printf("cat %s: only the first %llu of %llu bytes shown\n", argv[1], (unsigned long long)length,
			     (unsigned long long)file.size);
}

const struct shell_command shell_disk_commands[] = {
	{ "ls", "[dir]", "the files on the hypervisor's disk", ls },
	{ "cat", "<file>", "a file on the disk", cat },
};
const unsigned shell_disk_command_count = ARRAY_SIZE(shell_disk_commands);
