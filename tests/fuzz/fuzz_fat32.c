/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the FAT32 reader (src/fs/fat32.c): mount, walk every directory, open every
 * path found and read each file, front to back and at a few offsets. The reader must return errors,
 * never crash, read out of bounds or hang, whatever the disk holds.
 *
 * Input format: a sparse disk of 64 MiB, as records of a little-endian u32 sector number followed by
 * the 512 bytes of that sector; every sector no record names reads as zeros. Seeds come from volumes
 * made by mkfs.fat and mtools (tests/fuzz/make_fat32_corpus.sh), which are mostly zeros, so each
 * seed is a few KiB while the volume it describes is large enough for mtools to call it FAT32. */
#define _DEFAULT_SOURCE /* strnlen */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fs/fat32.h"

#define DISK_SECTORS (64u * 2048u)
#define RECORD_SIZE (4 + 512)

struct sparse_disk {
	const uint8_t *data;
	size_t records;
};

static int read_sparse(void *ctx, uint64_t sector, uint32_t count, void *buffer)
{
	const struct sparse_disk *disk = ctx;
	uint8_t *out = buffer;
	for (uint32_t i = 0; i < count; i++) {
		memset(out + (size_t)i * 512, 0, 512);
		/* The last record for a sector wins, as if written in order. */
		for (size_t r = 0; r < disk->records; r++) {
			const uint8_t *rec = disk->data + r * RECORD_SIZE;
			uint32_t s = (uint32_t)rec[0] | (uint32_t)rec[1] << 8 | (uint32_t)rec[2] << 16 | (uint32_t)rec[3] << 24;
			if (s == sector + i)
				memcpy(out + (size_t)i * 512, rec + 4, 512);
		}
	}
	return 0;
}

struct walk {
	struct fat32_volume *volume;
	char path[1024];
	int depth;
	int budget; /* entries still to visit: bounds the work per input */
};

static uint8_t file_buffer[65536];

static int visit(void *ctx, const struct fat32_entry *entry);

static void walk_path(struct walk *w)
{
	struct fat32_file file;
	if (fat32_open(w->volume, w->path, &file) != 0)
		return;
	if (file.is_directory) {
		if (w->depth < 8) {
			w->depth++;
			(void)fat32_list(&file, visit, w); /* a corrupt one may fail, never crash */
			w->depth--;
		}
		return;
	}
	int64_t got = fat32_read(&file, 0, file_buffer, sizeof(file_buffer));
	if (got > (int64_t)sizeof(file_buffer) || (got >= 0 && (uint64_t)got > file.size))
		__builtin_trap();
	if (file.size > 1000) {
		/* Reads past the end come back short: never more than the file has left. */
		if (fat32_read(&file, file.size - 1000, file_buffer, 2000) > 1000)
			__builtin_trap();
		if (fat32_read(&file, 513, file_buffer, 4000) > (int64_t)(file.size - 513))
			__builtin_trap();
	}
}

static int visit(void *ctx, const struct fat32_entry *entry)
{
	struct walk *w = ctx;
	if (--w->budget < 0)
		return 1;
	size_t length = strlen(w->path);
	if (strnlen(entry->name, sizeof(entry->name)) == sizeof(entry->name))
		__builtin_trap(); /* names are always terminated */
	if (length + 1 + strlen(entry->name) + 1 > sizeof(w->path))
		return 0;
	snprintf(w->path + length, sizeof(w->path) - length, "/%s", entry->name);
	walk_path(w);
	w->path[length] = 0;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fat32_volume volume;
	struct sparse_disk disk = { .data = data, .records = size / RECORD_SIZE };
	if (fat32_mount(&volume, read_sparse, &disk, DISK_SECTORS) != 0)
		return 0;
	if (strnlen(volume.error, sizeof(volume.error)) == sizeof(volume.error))
		__builtin_trap();
	struct walk w = { .volume = &volume, .budget = 256 };
	walk_path(&w);
	struct fat32_file file;
	(void)fat32_open(&volume, "/guest/vm_default/hello.toml", &file); /* found or not: no crash */
	return 0;
}
