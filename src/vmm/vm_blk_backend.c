/* SPDX-License-Identifier: Apache-2.0 */
/* The backends of a VM's virtio block devices (vdev/virtio_blk.h), from the name in its config
 * (vmm/config.h, config_blk_backend): a host disk, a partition of one (MBR or GPT), or a file on
 * the hypervisor's FAT32 disk, read and written in place through its clusters. Each is a list of
 * extents of one host disk. A writable backend owns its sectors alone; read-only ones share
 * (vmm/host_resources.h, HOST_DISK); only a writable backend's sectors are opened for writing on
 * the host disk (drivers/block.h). The disk holding the hypervisor's own FAT32 volume can be given
 * read-only, or by files on it, never written whole. */
#include "vmm/vm_internal.h"
#include "vmm/host_resources.h"
#include "vdev/virtio_blk.h"
#include "drivers/block.h"
#include "fs/disk.h"
#include "fs/partitions.h"
#include "kernel/mm.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"

#define SECTOR 512u

struct extent {
	uint64_t first;        /* the guest's sector */
	uint64_t disk_sector;  /* where it is on the host disk */
	uint64_t count;
};

struct disk_backend {
	struct vblk_backend b;
	struct vm *vm;
	struct block_device *disk;
	unsigned extent_count;
	struct extent *extents;
	bool writes_opened;     /* block_allow_writes done for every extent */
};

/* The extent holding guest sector `sector`: extents are sorted and contiguous in guest sectors. */
static const struct extent *find_extent(const struct disk_backend *d, uint64_t sector)
{
	unsigned low = 0, high = d->extent_count;
	while (low < high) {
		unsigned mid = low + (high - low) / 2;
		const struct extent *e = &d->extents[mid];
		if (sector < e->first)
			high = mid;
		else if (sector - e->first >= e->count)
			low = mid + 1;
		else
			return e;
	}
	return NULL;
}

static int access_sectors(struct vblk_backend *b, uint64_t sector, uint32_t count, void *buffer, bool write)
{
	struct disk_backend *d = b->priv;
	uint8_t *data = buffer;
	while (count) {
		const struct extent *e = find_extent(d, sector);
		if (!e)
			return -EIO;
		uint64_t within = sector - e->first;
		uint32_t n = (uint32_t)MIN((uint64_t)count, e->count - within);
		int err = write ? d->disk->write(d->disk, e->disk_sector + within, n, data)
				: d->disk->read(d->disk, e->disk_sector + within, n, data);
		if (err)
			return err;
		sector += n;
		count -= n;
		data += (size_t)n * SECTOR;
	}
	return 0;
}

/* Within one extent (as a guest's request on a partition or an unfragmented file is) the segments
 * go to the disk as they are; across extents, a segment at a time. */
static int backend_transfer(struct vblk_backend *b, bool write, uint64_t sector, const struct block_segment *segments,
			    unsigned count)
{
	struct disk_backend *d = b->priv;
	uint64_t total = 0;
	for (unsigned i = 0; i < count; i++)
		total += segments[i].length / SECTOR;
	const struct extent *e = find_extent(d, sector);
	if (e && total <= e->count - (sector - e->first))
		return d->disk->transfer(d->disk, write, e->disk_sector + (sector - e->first), segments, count);
	for (unsigned i = 0; i < count; i++) {
		uint32_t n = segments[i].length / SECTOR;
		int err = access_sectors(b, sector, n, segments[i].data, write);
		if (err)
			return err;
		sector += n;
	}
	return 0;
}

static int backend_flush(struct vblk_backend *b)
{
	struct disk_backend *d = b->priv;
	return d->disk->flush(d->disk);
}

static void backend_close(struct vblk_backend *b)
{
	struct disk_backend *d = b->priv;
	if (d->writes_opened)
		for (unsigned i = 0; i < d->extent_count; i++)
			block_forbid_writes(d->disk, d->extents[i].disk_sector, d->extents[i].count);
	kfree(d->extents);
	kfree(d);
}

static int read_disk(void *ctx, uint64_t sector, uint32_t count, void *buffer)
{
	struct block_device *disk = ctx;
	return disk->read(disk, sector, count, buffer);
}

/* The extents of a file on the hypervisor's disk: counted, then filled. */
struct extent_list {
	struct extent *extents;
	unsigned count;
	uint64_t sectors;       /* of the file, rounded down to whole sectors */
};

static int add_file_extent(void *ctx, uint64_t file_offset, uint64_t device_byte, uint64_t length)
{
	struct extent_list *list = ctx;
	if (file_offset / SECTOR >= list->sectors)
		return 0;
	uint64_t count = MIN(length / SECTOR, list->sectors - file_offset / SECTOR);
	if (list->extents)
		list->extents[list->count] = (struct extent){ file_offset / SECTOR, device_byte / SECTOR, count };
	list->count++;
	return 0;
}

static int open_file(struct vm *vm, const char *what, const struct config_blk_backend *spec, struct disk_backend *d)
{
	struct fat32_file file;
	if (disk_open(spec->path, &file) < 0 || file.is_directory) {
		vm_log_error(vm, "%s: backend '%s': %s", what, spec->path,
			     file.is_directory ? "is a directory" : disk_error());
		return -ENOENT;
	}
	struct extent_list list = { .sectors = file.size / SECTOR };
	if (list.sectors == 0) {
		vm_log_error(vm, "%s: backend '%s' holds less than one sector", what, spec->path);
		return -EINVAL;
	}
	if (file.size % SECTOR)
		vm_log_warn(vm, "%s: backend '%s': its last %llu bytes are not a whole sector and are not seen", what,
			    spec->path, (unsigned long long)(file.size % SECTOR));
	int err = fat32_extents(&file, add_file_extent, &list);
	if (err == 0 && !(list.extents = kzalloc(list.count * sizeof(struct extent))))
		err = -ENOMEM;
	if (err == 0) {
		list.count = 0;
		err = fat32_extents(&file, add_file_extent, &list);
	}
	if (err) {
		kfree(list.extents);
		vm_log_error(vm, "%s: backend '%s': cannot map its clusters: %s", what, spec->path, disk_error());
		return err;
	}
	d->disk = block_disk();
	d->extents = list.extents;
	d->extent_count = list.count;
	d->b.sectors = list.sectors;
	return 0;
}

static int open_disk(struct vm *vm, const char *what, const struct config_blk_backend *spec, struct disk_backend *d)
{
	char name[24];
	config_blk_backend_name(spec, name, sizeof(name));
	d->disk = block_disk_at(spec->disk);
	if (!d->disk) {
		vm_log_error(vm, "%s: backend %s: the machine has %u disk(s), numbered from 0", what, name,
			     block_disk_count());
		return -ENODEV;
	}
	if (!spec->read_only && disk_holds_volume(d->disk)) {
		vm_log_error(vm, "%s: backend %s: disk %u holds the hypervisor's FAT32 volume; give it read-only "
			     "(%s:ro) or give a file on it", what, name, spec->disk, name);
		return -EBUSY;
	}
	struct partition part = { 0, d->disk->sector_count, false };
	if (spec->kind == CONFIG_BLK_PARTITION) {
		const char *why = "";
		int err = partition_find(read_disk, d->disk, d->disk->sector_count, spec->partition, &part, &why);
		if (err) {
			vm_log_error(vm, "%s: backend %s: %s", what, name,
				     err == -ENOENT ? "the disk's partition table has no such partition" : why);
			return err;
		}
	}
	if (!(d->extents = kzalloc(sizeof(struct extent))))
		return -ENOMEM;
	d->extents[0] = (struct extent){ 0, part.first, part.count };
	d->extent_count = 1;
	d->b.sectors = part.count;
	return 0;
}

/* Takes the sectors for the VM (alone when writable) and opens them for writing on the host. */
static int claim(struct vm *vm, const char *what, struct disk_backend *d)
{
	char owner[48];
	format_snprintf(owner, sizeof(owner), "VM[%u] %s", vm->id, vm->name);
	for (unsigned i = 0; i < d->extent_count; i++) {
		const struct extent *e = &d->extents[i];
		struct host_claim holder;
		int err = host_resource_claim(HOST_DISK, HOST_DISK_SECTOR(d->disk->index, e->disk_sector), e->count, vm->id,
					      owner, d->b.name, d->b.read_only, &holder);
		if (err == -EBUSY) {
			vm_log_error(vm, "%s: backend %s: sectors of disk %u are %s's (%s%s)", what, d->b.name,
				     d->disk->index, holder.owner_name, holder.what, holder.shareable ? ", read-only" : "");
			return err;
		}
		if (err < 0) {
			vm_log_error(vm, "%s: backend %s: cannot claim its sectors: %d", what, d->b.name, err);
			return err;
		}
	}
	if (d->b.read_only)
		return 0;
	for (unsigned i = 0; i < d->extent_count; i++) {
		int err = block_allow_writes(d->disk, d->extents[i].disk_sector, d->extents[i].count);
		if (err) {
			while (i--)
				block_forbid_writes(d->disk, d->extents[i].disk_sector, d->extents[i].count);
			vm_log_error(vm, "%s: backend %s: %s", what, d->b.name,
				     err == -EROFS ? "the host disk is read-only"
				     : err == -ENOSPC ? "too many pieces of the disk open for writing (a fragmented file?)"
						      : "cannot open it for writing");
			return err;
		}
	}
	d->writes_opened = true;
	return 0;
}

struct vblk_backend *vm_blk_backend_open(struct vm *vm, const struct vm_emu_device *emu)
{
	struct config_blk_backend spec;
	const char *why;
	if (config_blk_backend(emu->name, &spec, &why) < 0) {
		vm_log_error(vm, "%s:%u: virtio-blk '%s': %s", vm->config->file_name, emu->line, emu->name, why);
		return NULL;
	}
	struct disk_backend *d = kzalloc(sizeof(*d));
	if (!d)
		return NULL;
	d->vm = vm;
	config_blk_backend_name(&spec, d->b.name, sizeof(d->b.name));
	d->b.read_only = spec.read_only;
	d->b.flush = backend_flush;
	d->b.transfer = backend_transfer;
	d->b.close = backend_close;
	d->b.priv = d;
	/* GET_ID: "vm<id>-<label>", the label being the name before '@' (what /dev/disk/by-id shows). */
	int n = format_snprintf(d->b.id, sizeof(d->b.id), "vm%u-", vm->id);
	for (const char *c = emu->name; *c && *c != '@' && n < (int)sizeof(d->b.id); c++)
		d->b.id[n++] = *c;
	int err = spec.kind == CONFIG_BLK_FILE ? open_file(vm, emu->name, &spec, d) : open_disk(vm, emu->name, &spec, d);
	if (err == 0)
		err = claim(vm, emu->name, d);
	if (err) {
		/* Its claims go with the VM, whose creation fails. */
		kfree(d->extents);
		kfree(d);
		return NULL;
	}
	vm_log_info(vm, "%s: virtio-blk on %s: %llu sectors (%llu MiB) of disk %u in %u piece(s), %s", emu->name,
		    d->b.name, (unsigned long long)d->b.sectors, (unsigned long long)(d->b.sectors >> 11), d->disk->index,
		    d->extent_count, d->b.read_only ? "read-only" : "read-write");
	return &d->b;
}
