/* SPDX-License-Identifier: Apache-2.0 */
/* A read-only FAT32 reader: mounts a volume through a sector-reading callback, resolves paths
 * (long file names, subdirectories, case-insensitive like FAT itself), lists directories and reads
 * files of any size. Nothing is ever written.
 *
 * Every cluster chain is validated as it is followed (Microsoft FAT specification 1.03, section 4):
 * a chain that loops, names a cluster outside the volume, ends before the file's size or runs past
 * it is an error, never a hang or an out-of-bounds read. On an error the volume's `error` field holds
 * one line saying what was wrong ("cluster chain of 'guest/a.bin' loops after cluster 7").
 *
 * No kernel dependency and no global state: the caller owns the structs (a struct fat32_volume
 * carries two sector buffers, about 8 KiB) and one volume is used from one CPU at a time. */
#ifndef FS_FAT32_H
#define FS_FAT32_H

#include "lib/types.h"

#define FAT32_DEVICE_SECTOR 512u    /* the unit of the read callback */
#define FAT32_MAX_SECTOR 4096u      /* largest bytes-per-sector a volume may declare */
#define FAT32_NAME_MAX 255          /* bytes of a name, UTF-8, without the NUL */
#define FAT32_ERROR_MAX 160

/* Reads `count` 512-byte sectors starting at `sector` into `buffer`; returns 0 or a negative error. */
typedef int (*fat32_read_fn)(void *ctx, uint64_t sector, uint32_t count, void *buffer);

struct fat32_volume {
	fat32_read_fn read;
	void *ctx;
	uint64_t device_sectors;      /* size of the disk in 512-byte sectors */
	uint32_t bytes_per_sector;
	uint32_t sectors_per_cluster;
	uint32_t cluster_bytes;
	uint64_t fat_sector;          /* first sector of the first FAT (volume sectors) */
	uint32_t fat_sectors;         /* sectors per FAT */
	uint64_t data_sector;         /* first sector of cluster 2 */
	uint32_t cluster_count;       /* data clusters: valid cluster numbers are 2 .. cluster_count + 1 */
	uint32_t root_cluster;
	uint64_t cached_fat_sector;   /* which FAT sector fat_cache holds; UINT64_MAX for none */
	uint8_t fat_cache[FAT32_MAX_SECTOR];
	uint8_t bounce[FAT32_MAX_SECTOR];
	char error[FAT32_ERROR_MAX];
};

/* An open file or directory. Reads are fastest front to back: the position in the chain is kept. */
struct fat32_file {
	struct fat32_volume *volume;
	uint32_t first_cluster;       /* 0 for an empty file */
	uint64_t size;                /* bytes; for a directory, its chain length in bytes */
	bool is_directory;
	uint32_t cursor_cluster;      /* cluster number at chain index cursor_index */
	uint32_t cursor_index;
	char path[FAT32_NAME_MAX + 1]; /* for messages */
};

struct fat32_entry {
	char name[FAT32_NAME_MAX + 1]; /* the long name when there is one, else the 8.3 name */
	bool is_directory;
	uint64_t size;
	uint32_t first_cluster;
};

/* Reads and checks the boot sector (signature, sizes, FAT32 layout, that the volume fits the disk).
 * Returns 0, -EINVAL for a volume that is not a sound FAT32 one, or the callback's error. */
__must_check int fat32_mount(struct fat32_volume *volume, fat32_read_fn read, void *ctx,
			     uint64_t device_sectors);

/* Opens an absolute or relative (to the root) path, '/'-separated. -ENOENT when a component is
 * missing, -ENOTDIR-like -EINVAL when a file is used as a directory, -EIO for a corrupt volume. The
 * file's whole cluster chain is checked here, so a later read of a sound file cannot fail for the
 * FAT's sake. */
__must_check int fat32_open(struct fat32_volume *volume, const char *path, struct fat32_file *file);

/* Reads up to `length` bytes at `offset`; returns the number read (short only at the end of the
 * file) or a negative error. */
__must_check int64_t fat32_read(struct fat32_file *file, uint64_t offset, void *buffer, uint64_t length);

/* Calls `visit` for each entry of a directory (not "." and ".."), in disk order, until it returns
 * non-zero (which is then returned). Returns 0 when all were visited or a negative error. */
/* Visits the runs of consecutive clusters that hold a file, front to back: the run's offset in the
 * file, where it starts on the device (bytes) and its length (whole clusters: the last run covers
 * the file's end and the rest of its last cluster). Stops at the first nonzero return. A file's
 * data can then be read and written in place, without the FAT. */
typedef int (*fat32_extent_fn)(void *ctx, uint64_t file_offset, uint64_t device_byte, uint64_t length);
__must_check int fat32_extents(struct fat32_file *file, fat32_extent_fn visit, void *ctx);
typedef int (*fat32_visit_fn)(void *ctx, const struct fat32_entry *entry);
__must_check int fat32_list(struct fat32_file *directory, fat32_visit_fn visit, void *ctx);

#endif
