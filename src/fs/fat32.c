/* SPDX-License-Identifier: Apache-2.0 */
/* Read-only FAT32 (see include/fs/fat32.h). Layout and field offsets: Microsoft "FAT: General
 * Overview of On-Disk Format", version 1.03 (the FAT specification): section 3 (boot sector and
 * BPB), 4 (the FAT), 6 (directory entries), 7 (long names). FAT32 is recognised as Linux does, by
 * BPB_FATSz16 = 0 and BPB_RootEntCnt = 0, so small test volumes with few clusters are accepted. */
#include "fs/fat32.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"

#define FAT_ENTRY_MASK 0x0fffffffu
#define FAT_END_OF_CHAIN 0x0ffffff8u /* and above (section 4) */
#define DIRECTORY_ENTRY_SIZE 32u
#define DIRECTORY_MAX_BYTES (65536u * DIRECTORY_ENTRY_SIZE) /* section 6: at most 65536 entries */
#define ATTR_VOLUME_ID 0x08
#define ATTR_DIRECTORY 0x10
#define ATTR_LONG_NAME 0x0f
#define NTRES_LOWER_BASE 0x08 /* Windows NT's case flags in DIR_NTRes, set by mtools too */
#define NTRES_LOWER_EXT 0x10
#define LFN_LAST 0x40
#define LFN_CHARS_PER_ENTRY 13
#define LFN_MAX_ENTRIES 20

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

static void describe_error(struct fat32_volume *v, const char *fmt, ...) __printf_like(2, 3);
static void describe_error(struct fat32_volume *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	format_vsnprintf(v->error, sizeof(v->error), fmt, ap);
	va_end(ap);
}

/* Describes the error and evaluates to `err`. A macro, so that the code returned is in plain sight:
 * the static analyzer does not follow variadic calls, and took a failure for a success without it. */
#define fail(v, err, ...) (describe_error((v), __VA_ARGS__), (err))

static bool is_power_of_two(uint32_t x) { return x && !(x & (x - 1)); }

/* Reads `count` device sectors, refusing anything past the end of the disk. */
static int read_device(struct fat32_volume *v, uint64_t sector, uint32_t count, void *buffer)
{
	if (sector >= v->device_sectors || count > v->device_sectors - sector)
		return fail(v, -EIO, "read of sectors %llu+%u is past the end of the disk (%llu sectors)",
			    (unsigned long long)sector, count, (unsigned long long)v->device_sectors);
	int err = v->read(v->ctx, sector, count, buffer);
	if (err < 0)
		return fail(v, err, "disk read of sectors %llu+%u failed (%d)", (unsigned long long)sector, count, err);
	return 0;
}

/* Reads `length` bytes at byte `offset` of the disk, through the bounce buffer for partial sectors. */
static int read_bytes(struct fat32_volume *v, uint64_t offset, uint8_t *out, uint64_t length)
{
	while (length) {
		uint64_t sector = offset / FAT32_DEVICE_SECTOR;
		uint32_t within = (uint32_t)(offset % FAT32_DEVICE_SECTOR);
		int err;
		uint64_t chunk;
		if (within == 0 && length >= FAT32_DEVICE_SECTOR) {
			uint64_t sectors = MIN(length / FAT32_DEVICE_SECTOR, (uint64_t)1 << 16);
			err = read_device(v, sector, (uint32_t)sectors, out);
			chunk = sectors * FAT32_DEVICE_SECTOR;
		} else {
			err = read_device(v, sector, 1, v->bounce);
			chunk = MIN(length, (uint64_t)(FAT32_DEVICE_SECTOR - within));
			if (!err)
				memcpy(out, v->bounce + within, chunk);
		}
		if (err)
			return err;
		offset += chunk;
		out += chunk;
		length -= chunk;
	}
	return 0;
}

int fat32_mount(struct fat32_volume *v, fat32_read_fn read, void *ctx, uint64_t device_sectors)
{
	v->read = read;
	v->ctx = ctx;
	v->device_sectors = device_sectors;
	v->cached_fat_sector = UINT64_MAX;
	v->error[0] = 0;
	uint8_t *bs = v->bounce;
	int err = read_device(v, 0, 1, bs);
	if (err)
		return err;
	if (bs[510] != 0x55 || bs[511] != 0xaa)
		return fail(v, -EINVAL, "bad boot sector: no 0x55 0xaa signature at byte 510");
	uint32_t bytes_per_sector = le16(bs + 11);
	uint32_t sectors_per_cluster = bs[13];
	uint32_t reserved = le16(bs + 14);
	uint32_t fat_count = bs[16];
	uint32_t root_entries = le16(bs + 17);
	uint32_t total16 = le16(bs + 19);
	uint32_t fat_size16 = le16(bs + 22);
	uint32_t total32 = le32(bs + 32);
	uint32_t fat_size32 = le32(bs + 36);
	uint32_t root_cluster = le32(bs + 44);
	if (bytes_per_sector < 512 || bytes_per_sector > FAT32_MAX_SECTOR || !is_power_of_two(bytes_per_sector))
		return fail(v, -EINVAL, "bad boot sector: %u bytes per sector", bytes_per_sector);
	if (!is_power_of_two(sectors_per_cluster))
		return fail(v, -EINVAL, "bad boot sector: %u sectors per cluster", sectors_per_cluster);
	if (fat_size16 != 0 || root_entries != 0 || fat_size32 == 0)
		return fail(v, -EINVAL, "not FAT32: BPB_FATSz16 = %u, BPB_RootEntCnt = %u, BPB_FATSz32 = %u",
			    fat_size16, root_entries, fat_size32);
	if (reserved == 0 || fat_count == 0)
		return fail(v, -EINVAL, "bad boot sector: %u reserved sectors, %u FATs", reserved, fat_count);
	uint64_t total = total16 ? total16 : total32;
	uint64_t data = (uint64_t)reserved + (uint64_t)fat_count * fat_size32;
	if (total <= data)
		return fail(v, -EINVAL, "bad boot sector: %llu sectors leave no room for data after the FATs (%llu)",
			    (unsigned long long)total, (unsigned long long)data);
	uint32_t scale = bytes_per_sector / FAT32_DEVICE_SECTOR;
	if (total * scale > device_sectors)
		return fail(v, -EINVAL, "bad boot sector: the volume (%llu sectors of %u bytes) is larger than the disk "
			    "(%llu sectors of 512 bytes)", (unsigned long long)total, bytes_per_sector,
			    (unsigned long long)device_sectors);
	uint64_t clusters = (total - data) / sectors_per_cluster;
	/* Entries the FAT can hold bound the usable clusters too (section 3.5). */
	uint64_t fat_entries = (uint64_t)fat_size32 * bytes_per_sector / 4;
	if (fat_entries < 3)
		return fail(v, -EINVAL, "bad boot sector: a FAT of %u sectors holds no cluster", fat_size32);
	clusters = MIN(clusters, fat_entries - 2);
	clusters = MIN(clusters, (uint64_t)(FAT_END_OF_CHAIN - 0x10 - 2));
	if (clusters == 0)
		return fail(v, -EINVAL, "bad boot sector: the volume has no data cluster");
	v->bytes_per_sector = bytes_per_sector;
	v->sectors_per_cluster = sectors_per_cluster;
	v->cluster_bytes = bytes_per_sector * sectors_per_cluster;
	v->fat_sector = reserved;
	v->fat_sectors = fat_size32;
	v->data_sector = data;
	v->cluster_count = (uint32_t)clusters;
	v->root_cluster = root_cluster;
	if (root_cluster < 2 || root_cluster > v->cluster_count + 1)
		return fail(v, -EINVAL, "bad boot sector: root directory cluster %u is outside the volume (2..%u)",
			    root_cluster, v->cluster_count + 1);
	return 0;
}

static bool valid_cluster(const struct fat32_volume *v, uint32_t cluster)
{
	return cluster >= 2 && cluster <= v->cluster_count + 1;
}

/* The FAT entry of `cluster` (first FAT), masked to its 28 bits. */
static int fat_entry(struct fat32_volume *v, uint32_t cluster, uint32_t *next)
{
	uint64_t byte = (uint64_t)cluster * 4;
	uint64_t sector = v->fat_sector + byte / v->bytes_per_sector;
	if (sector != v->cached_fat_sector) {
		v->cached_fat_sector = UINT64_MAX;
		int err = read_bytes(v, sector * v->bytes_per_sector, v->fat_cache, v->bytes_per_sector);
		if (err)
			return err;
		v->cached_fat_sector = sector;
	}
	*next = le32(v->fat_cache + byte % v->bytes_per_sector) & FAT_ENTRY_MASK;
	return 0;
}

/* The cluster after `cluster`, or 0 at the end of the chain; an entry that is neither is an error. */
static int next_cluster(struct fat32_volume *v, const char *path, uint32_t cluster, uint32_t *next)
{
	uint32_t entry;
	int err = fat_entry(v, cluster, &entry);
	if (err)
		return err;
	if (entry >= FAT_END_OF_CHAIN) {
		*next = 0;
		return 0;
	}
	if (!valid_cluster(v, entry))
		return fail(v, -EIO, "cluster chain of '%s' leaves the volume: cluster %u is followed by %#x "
			    "(valid clusters are 2..%u)", path, cluster, entry, v->cluster_count + 1);
	*next = entry;
	return 0;
}

#define CHAIN_TOO_LONG (-1000)

/* Follows the chain from `first` for at most `limit` clusters; returns its length, CHAIN_TOO_LONG
 * when it goes on past the limit, or a negative error. */
static int64_t chain_length(struct fat32_volume *v, const char *path, uint32_t first, uint64_t limit)
{
	uint32_t cluster = first;
	for (uint64_t count = 1;; count++) {
		if (count > limit)
			return CHAIN_TOO_LONG;
		uint32_t next;
		int err = next_cluster(v, path, cluster, &next);
		if (err)
			return err;
		if (!next)
			return (int64_t)count;
		cluster = next;
	}
}

/* Checks the chain of `file`: for a file exactly as many clusters as its size needs, for a directory
 * any length up to the directory limit (which then becomes its size). */
static int check_chain(struct fat32_volume *v, struct fat32_file *file)
{
	if (file->first_cluster == 0) {
		if (file->size)
			return fail(v, -EIO, "'%s' has %llu bytes but no cluster", file->path, (unsigned long long)file->size);
		return 0;
	}
	if (!valid_cluster(v, file->first_cluster))
		return fail(v, -EIO, "cluster chain of '%s' leaves the volume: it starts at cluster %#x (valid clusters "
			    "are 2..%u)", file->path, file->first_cluster, v->cluster_count + 1);
	uint64_t needed = file->is_directory ? DIRECTORY_MAX_BYTES / v->cluster_bytes + 1
					     : (file->size + v->cluster_bytes - 1) / v->cluster_bytes;
	int64_t length = chain_length(v, file->path, file->first_cluster, needed);
	if (length == CHAIN_TOO_LONG) {
		/* Past every cluster of the volume, it must revisit one. */
		length = chain_length(v, file->path, file->first_cluster, (uint64_t)v->cluster_count + 1);
		if (length == CHAIN_TOO_LONG)
			return fail(v, -EIO, "cluster chain of '%s' loops (it never ends within the volume's %u clusters)",
				    file->path, v->cluster_count);
		if (length < 0)
			return (int)length;
		if (file->is_directory)
			return fail(v, -EIO, "directory '%s' is longer than the 65536 entries FAT allows", file->path);
		return fail(v, -EIO, "cluster chain of '%s' has %lld clusters but its size (%llu bytes) needs %llu",
			    file->path, (long long)length, (unsigned long long)file->size, (unsigned long long)needed);
	}
	if (length < 0)
		return (int)length;
	if (file->is_directory) {
		file->size = (uint64_t)length * v->cluster_bytes;
	} else if ((uint64_t)length < needed) {
		return fail(v, -EIO, "'%s' is truncated: its cluster chain ends after %lld clusters but its size "
			    "(%llu bytes) needs %llu", file->path, (long long)length, (unsigned long long)file->size,
			    (unsigned long long)needed);
	}
	return 0;
}

static uint64_t cluster_byte(const struct fat32_volume *v, uint32_t cluster)
{
	return (v->data_sector + (uint64_t)(cluster - 2) * v->sectors_per_cluster) * v->bytes_per_sector;
}

int64_t fat32_read(struct fat32_file *file, uint64_t offset, void *buffer, uint64_t length)
{
	struct fat32_volume *v = file->volume;
	uint8_t *out = buffer;
	if (offset >= file->size || length == 0)
		return 0;
	length = MIN(length, file->size - offset);
	if (length > INT64_MAX)
		length = INT64_MAX;
	uint64_t done = 0;
	uint32_t index = (uint32_t)(offset / v->cluster_bytes);
	if (index < file->cursor_index || file->cursor_cluster == 0) {
		file->cursor_cluster = file->first_cluster;
		file->cursor_index = 0;
	}
	while (done < length) {
		while (file->cursor_index < index) {
			uint32_t next;
			int err = next_cluster(v, file->path, file->cursor_cluster, &next);
			if (err)
				return err;
			if (!next)
				return fail(v, -EIO, "'%s' is truncated: its cluster chain ends after %u clusters",
					    file->path, file->cursor_index + 1);
			file->cursor_cluster = next;
			file->cursor_index++;
		}
		/* One read for a run of consecutive clusters, as an unfragmented file mostly is. */
		uint32_t within = (uint32_t)(offset % v->cluster_bytes);
		uint64_t run = v->cluster_bytes - within;
		uint32_t run_last = file->cursor_cluster;
		while (done + run < length && run < MiB(4)) {
			uint32_t next;
			int err = next_cluster(v, file->path, run_last, &next);
			if (err)
				return err;
			if (next != run_last + 1)
				break;
			run_last = next;
			run += v->cluster_bytes;
		}
		run = MIN(run, length - done);
		int err = read_bytes(v, cluster_byte(v, file->cursor_cluster) + within, out + done, run);
		if (err)
			return err;
		/* The run's clusters are consecutive: the cursor moves onto the last one the bytes touched. */
		uint32_t touched = (uint32_t)((within + run - 1) / v->cluster_bytes);
		file->cursor_cluster += touched;
		file->cursor_index += touched;
		done += run;
		offset += run;
		index = (uint32_t)(offset / v->cluster_bytes);
	}
	return (int64_t)done;
}

int fat32_extents(struct fat32_file *file, fat32_extent_fn visit, void *ctx)
{
	struct fat32_volume *v = file->volume;
	if (file->first_cluster == 0)
		return 0;
	/* fat32_open checked the chain: it ends, within the volume, after as many clusters as the size
	 * needs; the count bounds this walk all the same. */
	uint64_t clusters = (file->size + v->cluster_bytes - 1) / v->cluster_bytes;
	uint32_t run_first = file->first_cluster, cluster = run_first;
	uint64_t run_offset = 0, run_clusters = 1;
	for (uint64_t i = 1; i <= clusters; i++) {
		uint32_t next = 0;
		if (i < clusters) {
			int err = next_cluster(v, file->path, cluster, &next);
			if (err)
				return err;
			if (!next)
				return fail(v, -EIO, "'%s' is truncated: its cluster chain ends after %llu clusters",
					    file->path, (unsigned long long)i);
		}
		if (next && next == cluster + 1) {
			run_clusters++;
		} else {
			int err = visit(ctx, run_offset, cluster_byte(v, run_first), run_clusters * v->cluster_bytes);
			if (err)
				return err;
			run_offset += run_clusters * v->cluster_bytes;
			run_first = next;
			run_clusters = 1;
		}
		cluster = next;
	}
	return 0;
}

/* One cast, of the whole conditional: C promotes its char operands to int. */
static char ascii_lower(char c) { return (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); }

static bool names_equal(const char *a, const char *b, size_t b_length)
{
	size_t i = 0;
	for (; i < b_length; i++)
		if (!a[i] || ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return a[i] == 0;
}

static uint8_t short_name_checksum(const uint8_t *name)
{
	uint8_t sum = 0;
	for (int i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + name[i]);
	return sum;
}

/* A character of entry `e`'s 8.3 name, lowered when the NT case flag `lower` is set in DIR_NTRes. */
static char short_name_char(const uint8_t *e, uint8_t byte, uint8_t lower)
{
	char c = (char)byte;
	if (e[12] & lower)
		return ascii_lower(c);
	return c;
}

/* The 8.3 name as "NAME.EXT", lowered where the NT case flags say so. */
static void short_name(const uint8_t *e, char *out)
{
	size_t n = 0;
	for (int i = 0; i < 8 && e[i] != ' '; i++)
		out[n++] = short_name_char(e, i == 0 && e[0] == 0x05 ? 0xe5 : e[i], NTRES_LOWER_BASE);
	if (e[8] != ' ') {
		out[n++] = '.';
		for (int i = 8; i < 11 && e[i] != ' '; i++)
			out[n++] = short_name_char(e, e[i], NTRES_LOWER_EXT);
	}
	out[n] = 0;
}

/* UTF-16 (the long name's encoding, section 7) to UTF-8; characters that do not fit become '?'. */
static void utf16_to_utf8(const uint16_t *in, size_t count, char *out, size_t out_size)
{
	size_t n = 0;
	for (size_t i = 0; i < count && in[i]; i++) {
		uint32_t c = in[i];
		if (c >= 0xd800 && c < 0xdc00 && i + 1 < count && in[i + 1] >= 0xdc00 && in[i + 1] < 0xe000) {
			c = 0x10000 + ((c - 0xd800) << 10) + (in[i + 1] - 0xdc00);
			i++;
		} else if (c >= 0xd800 && c < 0xe000) {
			c = '?';
		}
		uint8_t bytes[4];
		size_t length;
		if (c < 0x80) {
			bytes[0] = (uint8_t)c;
			length = 1;
		} else if (c < 0x800) {
			bytes[0] = (uint8_t)(0xc0 | c >> 6);
			bytes[1] = (uint8_t)(0x80 | (c & 0x3f));
			length = 2;
		} else if (c < 0x10000) {
			bytes[0] = (uint8_t)(0xe0 | c >> 12);
			bytes[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
			bytes[2] = (uint8_t)(0x80 | (c & 0x3f));
			length = 3;
		} else {
			bytes[0] = (uint8_t)(0xf0 | c >> 18);
			bytes[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
			bytes[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
			bytes[3] = (uint8_t)(0x80 | (c & 0x3f));
			length = 4;
		}
		if (n + length >= out_size)
			break;
		memcpy(out + n, bytes, length);
		n += length;
	}
	out[n] = 0;
}

/* The long name being collected, entry by entry, ahead of its short entry (section 7). */
struct long_name {
	uint16_t units[LFN_MAX_ENTRIES * LFN_CHARS_PER_ENTRY];
	int expected;     /* ordinal of the next entry; 0 when complete, -1 when none is being collected */
	int entries;
	uint8_t checksum;
};

static void long_name_add(struct long_name *ln, const uint8_t *e)
{
	static const uint8_t offsets[LFN_CHARS_PER_ENTRY] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };
	int ordinal = e[0] & 0x1f;
	if (e[0] & LFN_LAST) {
		if (ordinal == 0 || ordinal > LFN_MAX_ENTRIES) {
			ln->expected = -1;
			return;
		}
		ln->entries = ordinal;
		ln->checksum = e[13];
		for (size_t i = 0; i < ARRAY_SIZE(ln->units); i++)
			ln->units[i] = 0;
	} else if (ln->expected <= 0 || ordinal != ln->expected || e[13] != ln->checksum) {
		ln->expected = -1;
		return;
	}
	for (int i = 0; i < LFN_CHARS_PER_ENTRY; i++)
		ln->units[(ordinal - 1) * LFN_CHARS_PER_ENTRY + i] = le16(e + offsets[i]);
	ln->expected = ordinal - 1;
}

int fat32_list(struct fat32_file *dir, fat32_visit_fn visit, void *ctx)
{
	struct fat32_volume *v = dir->volume;
	struct long_name ln = { .expected = -1 };
	uint8_t e[DIRECTORY_ENTRY_SIZE];
	struct fat32_entry entry;
	if (!dir->is_directory)
		return fail(v, -EINVAL, "'%s' is not a directory", dir->path);
	for (uint64_t offset = 0; offset < dir->size; offset += DIRECTORY_ENTRY_SIZE) {
		int64_t got = fat32_read(dir, offset, e, sizeof(e));
		if (got < 0)
			return (int)got;
		if (got != sizeof(e) || e[0] == 0)
			break; /* 0x00: no entry follows (section 6.1) */
		if (e[0] == 0xe5) {
			ln.expected = -1;
			continue;
		}
		if ((e[11] & 0x3f) == ATTR_LONG_NAME) {
			long_name_add(&ln, e);
			continue;
		}
		bool has_long = ln.expected == 0 && ln.checksum == short_name_checksum(e);
		ln.expected = -1;
		if (e[11] & ATTR_VOLUME_ID)
			continue;
		if (has_long)
			utf16_to_utf8(ln.units, (size_t)ln.entries * LFN_CHARS_PER_ENTRY, entry.name, sizeof(entry.name));
		else
			short_name(e, entry.name);
		if (!strcmp(entry.name, ".") || !strcmp(entry.name, ".."))
			continue;
		entry.is_directory = (e[11] & ATTR_DIRECTORY) != 0;
		entry.size = entry.is_directory ? 0 : le32(e + 28);
		entry.first_cluster = (uint32_t)le16(e + 20) << 16 | le16(e + 26);
		int stop = visit(ctx, &entry);
		if (stop)
			return stop;
	}
	return 0;
}

struct lookup {
	const char *name;
	size_t length;
	struct fat32_entry found;
	bool is_found;
};

static int match_name(void *ctx, const struct fat32_entry *entry)
{
	struct lookup *l = ctx;
	if (!names_equal(entry->name, l->name, l->length))
		return 0;
	l->found = *entry;
	l->is_found = true;
	return 1;
}

static void set_path(struct fat32_file *file, const char *path, size_t length)
{
	length = MIN(length, sizeof(file->path) - 1);
	memcpy(file->path, path, length);
	file->path[length] = 0;
}

int fat32_open(struct fat32_volume *v, const char *path, struct fat32_file *file)
{
	*file = (struct fat32_file){ .volume = v, .first_cluster = v->root_cluster, .is_directory = true };
	set_path(file, "/", 1);
	v->error[0] = 0;
	int err = check_chain(v, file);
	if (err)
		return err;
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		const char *end = p;
		while (*end && *end != '/')
			end++;
		size_t length = (size_t)(end - p);
		if (length == 0)
			break;
		if (length == 1 && p[0] == '.') {
			p = end;
			continue;
		}
		if (length > FAT32_NAME_MAX)
			return fail(v, -ENOENT, "'%s': a name is longer than %d bytes", path, FAT32_NAME_MAX);
		if (!file->is_directory)
			return fail(v, -ENOENT, "'%.*s' is a file, not a directory", (int)(p - path - 1), path);
		struct lookup l = { .name = p, .length = length };
		err = fat32_list(file, match_name, &l);
		if (err < 0)
			return err;
		if (!l.is_found)
			return fail(v, -ENOENT, "'%.*s' does not exist", (int)(end - path), path);
		set_path(file, path, (size_t)(end - path));
		file->first_cluster = l.found.first_cluster;
		file->size = l.found.size;
		file->is_directory = l.found.is_directory;
		file->cursor_cluster = 0;
		file->cursor_index = 0;
		/* ".." of a child of the root names cluster 0; a subdirectory never legitimately does. */
		if (file->is_directory && file->first_cluster == 0)
			return fail(v, -EIO, "directory '%s' has no cluster", file->path);
		err = check_chain(v, file);
		if (err)
			return err;
		p = end;
	}
	return 0;
}
