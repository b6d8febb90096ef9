/* SPDX-License-Identifier: Apache-2.0 */
/* MBR and GPT partition tables (see fs/partitions.h). */
#include "fs/partitions.h"
#include "lib/errno.h"
#include "lib/string.h"

#define SECTOR 512u
#define MBR_ENTRIES_OFFSET 446      /* four 16-byte entries, then the 0x55 0xaa signature */
#define MBR_TYPE_EMPTY 0x00
#define MBR_TYPE_GPT_PROTECTIVE 0xee
#define GPT_ENTRIES_MAX 128u         /* what UEFI requires room for; more is not looked at */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static bool inside(uint64_t first, uint64_t count, uint64_t disk_sectors)
{
	return count && first < disk_sectors && count <= disk_sectors - first;
}

/* The GPT header at LBA 1 (UEFI 2.10, table 5.5) and entry `number` (table 5.6). */
static int find_gpt(partition_read_fn read, void *ctx, uint64_t disk_sectors, unsigned number, struct partition *out,
		    const char **why)
{
	uint8_t sector[SECTOR];
	int err = read(ctx, 1, 1, sector);
	if (err)
		return err;
	if (memcmp(sector, "EFI PART", 8) != 0) {
		*why = "a protective MBR but no GPT header at sector 1";
		return -EINVAL;
	}
	uint64_t entries_lba = le64(sector + 72);
	uint32_t entry_count = le32(sector + 80), entry_size = le32(sector + 84);
	if (entry_size != 128 && entry_size != 256 && entry_size != 512) {
		*why = "the GPT's entry size is not 128, 256 or 512 bytes";
		return -EINVAL;
	}
	if (number > entry_count || number > GPT_ENTRIES_MAX)
		return -ENOENT;
	uint64_t offset = (uint64_t)(number - 1) * entry_size;
	uint64_t lba = entries_lba + offset / SECTOR;
	if (entries_lba < 2 || !inside(lba, 1, disk_sectors)) {
		*why = "the GPT's entries lie outside the disk";
		return -EINVAL;
	}
	err = read(ctx, lba, 1, sector);
	if (err)
		return err;
	const uint8_t *entry = sector + offset % SECTOR;
	static const uint8_t unused[16];
	if (memcmp(entry, unused, sizeof(unused)) == 0)
		return -ENOENT; /* type GUID zero: the entry is unused */
	uint64_t first = le64(entry + 32), last = le64(entry + 40);
	if (last < first || !inside(first, last - first + 1, disk_sectors)) {
		*why = "the GPT entry's sectors lie outside the disk";
		return -EINVAL;
	}
	*out = (struct partition){ first, last - first + 1, true };
	return 0;
}

int partition_find(partition_read_fn read, void *ctx, uint64_t disk_sectors, unsigned number, struct partition *out,
		   const char **why)
{
	uint8_t mbr[SECTOR];
	if (number == 0) {
		*why = "partitions are numbered from 1";
		return -EINVAL;
	}
	if (disk_sectors < 2) {
		*why = "the disk is too small for a partition table";
		return -EINVAL;
	}
	int err = read(ctx, 0, 1, mbr);
	if (err)
		return err;
	if (mbr[510] != 0x55 || mbr[511] != 0xaa) {
		*why = "no partition table (no MBR signature in sector 0)";
		return -EINVAL;
	}
	const uint8_t *entries = mbr + MBR_ENTRIES_OFFSET;
	for (unsigned i = 0; i < 4; i++)
		if (entries[16 * i + 4] == MBR_TYPE_GPT_PROTECTIVE)
			return find_gpt(read, ctx, disk_sectors, number, out, why);
	if (number > 4)
		return -ENOENT; /* logical partitions in an extended one are not looked for */
	const uint8_t *e = entries + 16 * (number - 1);
	if (e[4] == MBR_TYPE_EMPTY)
		return -ENOENT;
	uint64_t first = le32(e + 8), count = le32(e + 12);
	if (!inside(first, count, disk_sectors)) {
		*why = "the MBR entry's sectors lie outside the disk";
		return -EINVAL;
	}
	*out = (struct partition){ first, count, false };
	return 0;
}
