/* SPDX-License-Identifier: Apache-2.0 */
/* The hypervisor's disk: the FAT32 volume on host disk 0 (drivers/block.h), mounted on first use
 * and then kept. Guest images (image_location = "fs") and the VM configs in /guest/vm_default/ are
 * read from it at boot and at VM resets; the hypervisor never writes it (a VM may be given a file
 * on it to write in place: vmm/vm_blk_backend.c).
 *
 * Every failing call leaves one line in disk_error() saying what was wrong ("no disk: ...",
 * "bad boot sector: ...", "'/guest/a.bin' does not exist", "cluster chain of ... loops ..."), for
 * the caller to put after the VM and path it concerns. */
#ifndef FS_DISK_H
#define FS_DISK_H

#include "fs/fat32.h"

struct block_device;

#define DISK_CONFIG_DIR "/guest/vm_default"

/* Opens a file by its path on the disk. 0, -ENODEV (no disk or no FAT32 volume on it), -ENOENT,
 * -EIO (corrupt volume or failing disk). */
__must_check int disk_open(const char *path, struct fat32_file *file);

/* Whether the disk holds the hypervisor's mounted FAT32 volume (then no VM may write it whole). */
bool disk_holds_volume(const struct block_device *dev);

/* The last failure, as one line. */
const char *disk_error(void);

/* Calls `found` for each regular file named *.toml in DISK_CONFIG_DIR, in directory order, with its
 * full path and its text (NUL-terminated, valid during the call). Returns the number of files
 * passed, 0 when there is no disk or no such directory (neither is an error), or a negative error
 * (logged) when the disk is there but unreadable. Files that cannot be read are logged and skipped. */
typedef void (*disk_config_fn)(void *ctx, const char *path, const char *text, size_t length);
__must_check int disk_read_configs(disk_config_fn found, void *ctx);

#endif
