/* SPDX-License-Identifier: Apache-2.0 */
/* The hypervisor's disk (see include/fs/disk.h): glue between the block device and the FAT32
 * reader, with the kernel's log and heap. */
#include "fs/disk.h"
#include "drivers/block.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"

#define CONFIG_FILE_MAX (256 * 1024) /* a VM config is a few KiB; anything this large is a mistake */

static struct fat32_volume volume;
static int mount_state; /* 0: not tried, 1: mounted, < 0: the error */
static char error[FAT32_ERROR_MAX + 64];

static int block_read(void *ctx, uint64_t sector, uint32_t count, void *buffer)
{
	struct block_device *dev = ctx;
	return dev->read(dev, sector, count, buffer);
}

static int mount(void)
{
	if (mount_state == 0) {
		struct block_device *dev = block_disk();
		if (!dev) {
			mount_state = -ENODEV;
			format_snprintf(error, sizeof(error), "no disk: the machine has no virtio block device");
		} else if (fat32_mount(&volume, block_read, dev, dev->sector_count) < 0) {
			mount_state = -ENODEV;
			format_snprintf(error, sizeof(error), "%s holds no usable FAT32 volume: %s", dev->name, volume.error);
			log_error("Disk %s", error);
		} else {
			mount_state = 1;
			log_info("Disk %s: FAT32 volume, %u clusters of %u bytes", dev->name, volume.cluster_count,
				 volume.cluster_bytes);
		}
	}
	if (mount_state < 0) {
		/* Keep the mount failure as the message for every later call. */
		return mount_state;
	}
	return 0;
}

bool disk_holds_volume(const struct block_device *dev)
{
	return dev == block_disk() && mount() == 0;
}

const char *disk_error(void)
{
	return error;
}

int disk_open(const char *path, struct fat32_file *file)
{
	int err = mount();
	if (err)
		return err;
	err = fat32_open(&volume, path, file);
	if (err)
		format_snprintf(error, sizeof(error), "%s", volume.error);
	return err;
}

struct config_walk {
	disk_config_fn found;
	void *ctx;
	int count;
};

static bool ends_with_toml(const char *name)
{
	size_t n = strlen(name);
	if (n < 6)
		return false;
	const char *e = name + n - 5;
	return e[0] == '.' && (e[1] | 0x20) == 't' && (e[2] | 0x20) == 'o' && (e[3] | 0x20) == 'm' && (e[4] | 0x20) == 'l';
}

static int read_one_config(void *ctx, const struct fat32_entry *entry)
{
	struct config_walk *walk = ctx;
	if (entry->is_directory || !ends_with_toml(entry->name))
		return 0;
	static char path[sizeof(DISK_CONFIG_DIR) + FAT32_NAME_MAX + 2];
	format_snprintf(path, sizeof(path), "%s/%s", DISK_CONFIG_DIR, entry->name);
	if (entry->size > CONFIG_FILE_MAX) {
		log_error("%s: skipped: %llu bytes is too large for a VM config", path, (unsigned long long)entry->size);
		return 0;
	}
	/* Opening by path checks the file's cluster chain before anything is read. */
	struct fat32_file file;
	if (fat32_open(&volume, path, &file) < 0) {
		log_error("%s: skipped: %s", path, volume.error);
		return 0;
	}
	char *text = kmalloc(file.size + 1);
	if (!text) {
		log_error("%s: skipped: no memory for %llu bytes", path, (unsigned long long)file.size);
		return 0;
	}
	int64_t got = fat32_read(&file, 0, text, file.size);
	if (got != (int64_t)file.size) {
		log_error("%s: skipped: %s", path, got < 0 ? volume.error : "short read");
	} else {
		text[file.size] = 0;
		walk->found(walk->ctx, path, text, file.size);
		walk->count++;
	}
	kfree(text);
	return 0;
}

int disk_read_configs(disk_config_fn found, void *ctx)
{
	if (mount() < 0)
		return mount_state == -ENODEV && !block_disk() ? 0 : mount_state;
	struct fat32_file dir;
	int err = fat32_open(&volume, DISK_CONFIG_DIR, &dir);
	if (err == -ENOENT)
		return 0;
	if (err == 0 && !dir.is_directory)
		return 0;
	struct config_walk walk = { .found = found, .ctx = ctx };
	if (err == 0)
		err = fat32_list(&dir, read_one_config, &walk);
	if (err < 0) {
		log_error("%s on the disk: %s", DISK_CONFIG_DIR, volume.error);
		return err;
	}
	return walk.count;
}
