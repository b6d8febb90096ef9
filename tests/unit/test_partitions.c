/* SPDX-License-Identifier: Apache-2.0 */
/* MBR and GPT partition tables (src/fs/partitions.c) on disks built in memory, good and malformed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fs/partitions.h"
#include "lib/errno.h"

#define SECTORS 4096
static uint8_t disk[SECTORS * 512];

static int read_disk(void *ctx, uint64_t sector, uint32_t count, void *buffer)
{
	(void)ctx;
	if (sector + count > SECTORS)
		return -EIO;
	memcpy(buffer, disk + sector * 512, count * 512u);
	return 0;
}

static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

static void mbr_entry(unsigned i, uint8_t type, uint32_t first, uint32_t count)
{
	uint8_t *e = disk + 446 + 16 * i;
	e[4] = type;
	put32(e + 8, first);
	put32(e + 12, count);
	disk[510] = 0x55;
	disk[511] = 0xaa;
}

static int find(unsigned n, struct partition *p, const char **why)
{
	return partition_find(read_disk, NULL, SECTORS, n, p, why);
}

static void test_mbr(void **state)
{
	(void)state;
	memset(disk, 0, sizeof(disk));
	struct partition p;
	const char *why = NULL;
	assert_int_equal(find(1, &p, &why), -EINVAL); /* no signature */
	mbr_entry(0, 0x83, 2048, 1024);
	mbr_entry(1, 0x0c, 3072, 1024);
	assert_int_equal(find(1, &p, &why), 0);
	assert_int_equal(p.first, 2048);
	assert_int_equal(p.count, 1024);
	assert_false(p.gpt);
	assert_int_equal(find(2, &p, &why), 0);
	assert_int_equal(p.first, 3072);
	assert_int_equal(find(3, &p, &why), -ENOENT);
	assert_int_equal(find(5, &p, &why), -ENOENT);
	assert_int_equal(find(0, &p, &why), -EINVAL);
	mbr_entry(2, 0x83, 4000, 200); /* runs past the disk */
	assert_int_equal(find(3, &p, &why), -EINVAL);
	assert_non_null(strstr(why, "outside the disk"));
}

static void test_gpt(void **state)
{
	(void)state;
	memset(disk, 0, sizeof(disk));
	mbr_entry(0, 0xee, 1, SECTORS - 1);
	const char *why = NULL;
	struct partition p;
	assert_int_equal(find(1, &p, &why), -EINVAL); /* protective MBR, no header */
	uint8_t *h = disk + 512;
	memcpy(h, "EFI PART", 8);
	put64(h + 72, 2);   /* entries at LBA 2 */
	put32(h + 80, 128); /* 128 entries */
	put32(h + 84, 128); /* of 128 bytes */
	uint8_t *e = disk + 2 * 512 + 128; /* entry 2 */
	memset(e, 0x11, 16);               /* a type GUID */
	put64(e + 32, 100);
	put64(e + 40, 199);
	assert_int_equal(find(1, &p, &why), -ENOENT); /* entry 1 unused */
	assert_int_equal(find(2, &p, &why), 0);
	assert_int_equal(p.first, 100);
	assert_int_equal(p.count, 100);
	assert_true(p.gpt);
	assert_int_equal(find(129, &p, &why), -ENOENT);
	put64(e + 40, 50); /* last before first */
	assert_int_equal(find(2, &p, &why), -EINVAL);
	put64(e + 40, SECTORS); /* past the end */
	assert_int_equal(find(2, &p, &why), -EINVAL);
	put32(h + 84, 100); /* an odd entry size */
	assert_int_equal(find(2, &p, &why), -EINVAL);
	put32(h + 84, 128);
	put64(h + 72, SECTORS + 5); /* entries off the disk */
	assert_int_equal(find(2, &p, &why), -EINVAL);
	put64(h + 72, UINT64_MAX); /* and wrapping */
	assert_int_equal(find(2, &p, &why), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mbr),
		cmocka_unit_test(test_gpt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
