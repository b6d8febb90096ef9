/* SPDX-License-Identifier: Apache-2.0 */
/* The FAT32 reader (src/fs/fat32.c) on volumes made at test time by mkfs.fat and filled by mtools:
 * long names, deep directories, a large file, fragmented files (made by writing and deleting files),
 * then corrupted copies: looping chains, chains leaving the volume, truncated chains, a bad boot
 * sector, a disk shorter than its volume. Every read goes through the same callback the hypervisor
 * uses, over the image held in memory. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fs/fat32.h"
#include "lib/errno.h"

struct image {
	uint8_t *data;
	size_t size;
	unsigned reads;
};

static char work_dir[] = "/tmp/tessera-fat32-XXXXXX";
static struct image pristine;
static uint8_t *big_content;
static size_t big_size;
static uint8_t *fragmented_content;
static size_t fragmented_size;

static int read_image(void *ctx, uint64_t sector, uint32_t count, void *buffer)
{
	struct image *img = ctx;
	img->reads++;
	if ((sector + count) * 512 > img->size)
		return -EIO;
	memcpy(buffer, img->data + sector * 512, (size_t)count * 512);
	return 0;
}

static void run(const char *fmt, ...)
{
	char command[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(command, sizeof(command), fmt, ap);
	va_end(ap);
	char full[4200];
	snprintf(full, sizeof(full), "cd %s && MTOOLS_SKIP_CHECK=1 %s", work_dir, command);
	if (system(full) != 0) {
		fprintf(stderr, "command failed: %s\n", full);
		abort();
	}
}

static uint8_t *random_file(const char *name, size_t size, unsigned seed)
{
	uint8_t *data = malloc(size);
	srand(seed);
	for (size_t i = 0; i < size; i++)
		data[i] = (uint8_t)rand();
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", work_dir, name);
	FILE *f = fopen(path, "wb");
	fwrite(data, 1, size, f);
	fclose(f);
	return data;
}

static struct image load(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", work_dir, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	struct image img = { .size = (size_t)ftell(f) };
	fseek(f, 0, SEEK_SET);
	img.data = malloc(img.size);
	assert_int_equal(fread(img.data, 1, img.size, f), img.size);
	fclose(f);
	return img;
}

static struct image copy_of(const struct image *img)
{
	struct image c = { .data = malloc(img->size), .size = img->size };
	memcpy(c.data, img->data, img->size);
	return c;
}

/* 40 MiB with 512-byte clusters: enough clusters that mtools treats it as FAT32. */
static int make_volume(void **state)
{
	(void)state;
	if (!mkdtemp(work_dir))
		return -1;
	run("mkfs.fat -F 32 -C -S 512 -s 1 -n TESSERA disk.img 40960 > /dev/null");
	big_content = random_file("big.bin", 3 * 1024 * 1024 + 123, 1);
	big_size = 3 * 1024 * 1024 + 123;
	free(random_file("small", 1500, 2));
	free(random_file("small1k", 1000, 4));
	fragmented_content = random_file("frag.bin", 9000, 3);
	fragmented_size = 9000;
	run("mmd -i disk.img ::/guest ::/guest/vm_default ::/d1 ::/d1/d2 ::/d1/d2/d3 ::/d1/d2/d3/d4 "
	    "::/d1/d2/d3/d4/d5 ::/d1/d2/d3/d4/d5/d6 ::/d1/d2/d3/d4/d5/d6/d7 ::/d1/d2/d3/d4/d5/d6/d7/d8");
	run("mcopy -i disk.img big.bin ::/guest/big.bin");
	run("mcopy -i disk.img small '::/guest/A rather long file name, with spaces and more.data'");
	run("mcopy -i disk.img small ::/d1/d2/d3/d4/d5/d6/d7/d8/deep.txt");
	run("mcopy -i disk.img small ::/guest/vm_default/one.toml");
	run("mcopy -i disk.img small ::/guest/vm_default/two.toml");
	run("touch empty && mcopy -i disk.img empty ::/empty");
	/* Fragmentation: small files, one file filling (nearly) all the rest of the disk, then every
	 * other small file deleted: the next file can only go into the holes. */
	for (int i = 0; i < 16; i++)
		run("mcopy -i disk.img small1k ::/filler%d", i);
	run("free=$(mdir -i disk.img ::/ | grep 'bytes free' | tr -d ' ' | sed 's/bytesfree//') && "
	    "truncate -s $((free - 2048)) rest && mcopy -i disk.img rest ::/rest");
	for (int i = 0; i < 16; i += 2)
		run("mdel -i disk.img ::/filler%d", i);
	run("mcopy -i disk.img frag.bin ::/frag.bin");
	/* mshowfat prints the chain as runs "<a-b> <c-d>": more than one run means fragmented. */
	run("mshowfat -i disk.img ::/frag.bin | grep -q '> <'");
	pristine = load("disk.img");
	return 0;
}

static int remove_volume(void **state)
{
	(void)state;
	run("rm -f disk.img big.bin small small1k rest frag.bin empty");
	rmdir(work_dir);
	free(pristine.data);
	free(big_content);
	free(fragmented_content);
	return 0;
}

static struct fat32_volume *mount(struct image *img)
{
	struct fat32_volume *v = calloc(1, sizeof(*v));
	assert_int_equal(fat32_mount(v, read_image, img, img->size / 512), 0);
	return v;
}

static void assert_reads_back(struct fat32_volume *v, const char *path, const uint8_t *expect, size_t size)
{
	struct fat32_file f;
	assert_int_equal(fat32_open(v, path, &f), 0);
	assert_false(f.is_directory);
	assert_int_equal(f.size, size);
	uint8_t *buffer = malloc(size + 1);
	assert_int_equal(fat32_read(&f, 0, buffer, size + 100), (int64_t)size);
	assert_memory_equal(buffer, expect, size);
	free(buffer);
}

static void test_mount_geometry(void **state)
{
	struct image img = pristine;
	struct fat32_volume *v = mount(&img);
	assert_int_equal(v->bytes_per_sector, 512);
	assert_int_equal(v->cluster_bytes, 512);
	assert_true(v->cluster_count > 65525);
	assert_int_equal(v->root_cluster, 2);
	free(v);
}

static void test_large_file_reads_back(void **state)
{
	struct image img = pristine;
	struct fat32_volume *v = mount(&img);
	assert_reads_back(v, "/guest/big.bin", big_content, big_size);
	/* Consecutive clusters are read in runs, not one request per cluster. */
	img.reads = 0;
	struct fat32_file f;
	assert_int_equal(fat32_open(v, "guest/big.bin", &f), 0);
	unsigned after_open = img.reads;
	uint8_t *buffer = malloc(big_size);
	assert_int_equal(fat32_read(&f, 0, buffer, big_size), (int64_t)big_size);
	assert_true(img.reads - after_open < big_size / 512 / 8);
	free(buffer);
	free(v);
}

static void test_reads_at_offsets_and_backwards(void **state)
{
	struct image img = pristine;
	struct fat32_volume *v = mount(&img);
	struct fat32_file f;
	assert_int_equal(fat32_open(v, "/frag.bin", &f), 0);
	uint8_t buffer[3000];
	static const uint64_t offsets[] = { 8500, 511, 512, 4001, 0, 1023, 8999 };
	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		uint64_t want = offsets[i] + sizeof(buffer) > fragmented_size ? fragmented_size - offsets[i] : sizeof(buffer);
		assert_int_equal(fat32_read(&f, offsets[i], buffer, sizeof(buffer)), (int64_t)want);
		assert_memory_equal(buffer, fragmented_content + offsets[i], want);
	}
	assert_int_equal(fat32_read(&f, fragmented_size, buffer, 1), 0);
	free(v);
}

static void test_fragmented_file_reads_back(void **state)
{
	struct image img = pristine;
	struct fat32_volume *v = mount(&img);
	assert_reads_back(v, "/frag.bin", fragmented_content, fragmented_size);
	free(v);
}

static void test_long_names_deep_directories_and_case(void **state)
{
	struct image img = pristine;
	struct fat32_volume *v = mount(&img);
	struct fat32_file f;
	assert_int_equal(fat32_open(v, "/guest/A rather long file name, with spaces and more.data", &f), 0);
	assert_int_equal(f.size, 1500);
	assert_int_equal(fat32_open(v, "/GUEST/a RATHER long FILE name, with spaces and more.DATA", &f), 0);
	assert_int_equal(fat32_open(v, "/d1/d2/d3/d4/d5/d6/d7/d8/deep.txt", &f), 0);
	assert_int_equal(f.size, 1500);
	assert_int_equal(fat32_open(v, "//d1/./d2//d3/d4/d5/d6/d7/d8/DEEP.TXT", &f), 0);
	assert_int_equal(fat32_open(v, "/d1/d2/d3", &f), 0);
	assert_true(f.is_directory);
	assert_int_equal(fat32_open(v, "/empty", &f), 0);
	assert_int_equal(f.size, 0);
	uint8_t byte;
	assert_int_equal(fat32_read(&f, 0, &byte, 1), 0);
	free(v);
}

struct listing {
	char names[16][FAT32_NAME_MAX + 1];
	int count;
};

static int collect(void *ctx, const struct fat32_entry *entry)
{
	struct listing *l = ctx;
	if (l->count < 16)
		strcpy(l->names[l->count++], entry->name);
	return 0;
}

static void test_listing_keeps_names_and_case(void **state)
{
	struct image img = pristine;
	struct fat32_volume *v = mount(&img);
	struct fat32_file dir;
	assert_int_equal(fat32_open(v, "/guest/vm_default", &dir), 0);
	struct listing l = { 0 };
	assert_int_equal(fat32_list(&dir, collect, &l), 0);
	assert_int_equal(l.count, 2);
	assert_string_equal(l.names[0], "one.toml");
	assert_string_equal(l.names[1], "two.toml");
	assert_int_equal(fat32_open(v, "/guest", &dir), 0);
	l.count = 0;
	assert_int_equal(fat32_list(&dir, collect, &l), 0);
	assert_int_equal(l.count, 3);
	assert_string_equal(l.names[0], "vm_default");
	assert_string_equal(l.names[1], "big.bin");
	assert_string_equal(l.names[2], "A rather long file name, with spaces and more.data");
	free(v);
}

static void test_missing_paths(void **state)
{
	struct image img = pristine;
	struct fat32_volume *v = mount(&img);
	struct fat32_file f;
	assert_int_equal(fat32_open(v, "/guest/nothere.bin", &f), -ENOENT);
	assert_non_null(strstr(v->error, "'/guest/nothere.bin' does not exist"));
	assert_int_equal(fat32_open(v, "/nodir/x", &f), -ENOENT);
	assert_non_null(strstr(v->error, "'/nodir' does not exist"));
	assert_int_equal(fat32_open(v, "/frag.bin/x", &f), -ENOENT);
	assert_non_null(strstr(v->error, "is a file"));
	free(v);
}

/* Sets the first-FAT entry of `cluster` in an image. */
static void set_fat(struct image *img, const struct fat32_volume *v, uint32_t cluster, uint32_t value)
{
	uint8_t *p = img->data + v->fat_sector * v->bytes_per_sector + cluster * 4;
	p[0] = (uint8_t)value;
	p[1] = (uint8_t)(value >> 8);
	p[2] = (uint8_t)(value >> 16);
	p[3] = (uint8_t)(value >> 24);
}

static uint32_t get_fat(struct image *img, const struct fat32_volume *v, uint32_t cluster)
{
	const uint8_t *p = img->data + v->fat_sector * v->bytes_per_sector + cluster * 4;
	return ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24) & 0x0fffffff;
}

/* A corrupted copy of the volume: `edit` changes the chain of `path`; opening it must fail with
 * `err` and a message containing `message`, and the volume must not hang. */
static void expect_corrupt(const char *path, void (*edit)(struct image *, struct fat32_volume *, uint32_t),
			   int err, const char *message)
{
	struct image img = copy_of(&pristine);
	struct fat32_volume *v = mount(&img);
	struct fat32_file f;
	assert_int_equal(fat32_open(v, path, &f), 0);
	edit(&img, v, f.first_cluster);
	v->cached_fat_sector = UINT64_MAX;
	assert_int_equal(fat32_open(v, path, &f), err);
	if (!strstr(v->error, message))
		fail_msg("error '%s' lacks '%s'", v->error, message);
	free(v);
	free(img.data);
}

static uint32_t nth_cluster(struct image *img, struct fat32_volume *v, uint32_t first, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		first = get_fat(img, v, first);
	return first;
}

static void loop_to_start(struct image *img, struct fat32_volume *v, uint32_t first)
{
	set_fat(img, v, nth_cluster(img, v, first, 12), first);
}

static void self_loop(struct image *img, struct fat32_volume *v, uint32_t first)
{
	set_fat(img, v, first, first);
}

static void leave_volume(struct image *img, struct fat32_volume *v, uint32_t first)
{
	set_fat(img, v, nth_cluster(img, v, first, 5), v->cluster_count + 2);
}

static void free_link(struct image *img, struct fat32_volume *v, uint32_t first)
{
	set_fat(img, v, nth_cluster(img, v, first, 3), 0);
}

static void end_early(struct image *img, struct fat32_volume *v, uint32_t first)
{
	set_fat(img, v, nth_cluster(img, v, first, 10), 0x0fffffff);
}

static void test_corrupt_chains(void **state)
{
	expect_corrupt("/frag.bin", loop_to_start, -EIO, "cluster chain of '/frag.bin' loops");
	expect_corrupt("/guest/big.bin", loop_to_start, -EIO, "cluster chain of '/guest/big.bin' loops");
	expect_corrupt("/d1/d2/d3", self_loop, -EIO, "cluster chain of '/d1/d2/d3' loops");
	expect_corrupt("/frag.bin", leave_volume, -EIO, "cluster chain of '/frag.bin' leaves the volume");
	expect_corrupt("/guest/big.bin", free_link, -EIO, "leaves the volume: cluster");
	expect_corrupt("/frag.bin", end_early, -EIO, "'/frag.bin' is truncated: its cluster chain ends after 11 clusters");
}

static void test_corrupt_directory_entry_size(void **state)
{
	/* A size larger than the chain: find frag.bin's entry in the root and double its size. */
	struct image img = copy_of(&pristine);
	struct fat32_volume *v = mount(&img);
	uint8_t *root = img.data + v->data_sector * 512;
	int patched = 0;
	for (int i = 0; i < 512 / 32; i++) {
		uint8_t *e = root + i * 32;
		if (!memcmp(e, "FRAG    BIN", 11)) {
			e[29] = (uint8_t)(e[29] + 1); /* +256 bytes: one more cluster than the chain has */
			e[30] = (uint8_t)(e[30] + 1);
			patched = 1;
		}
	}
	assert_true(patched);
	struct fat32_file f;
	assert_int_equal(fat32_open(v, "/frag.bin", &f), -EIO);
	assert_non_null(strstr(v->error, "is truncated"));
	free(v);
	free(img.data);
}

static void test_bad_boot_sectors(void **state)
{
	struct fat32_volume *v = calloc(1, sizeof(*v));
	struct image img = copy_of(&pristine);
	img.data[510] = 0;
	assert_int_equal(fat32_mount(v, read_image, &img, img.size / 512), -EINVAL);
	assert_non_null(strstr(v->error, "bad boot sector: no 0x55 0xaa signature"));
	memcpy(img.data, pristine.data, 512);
	img.data[13] = 3; /* sectors per cluster */
	assert_int_equal(fat32_mount(v, read_image, &img, img.size / 512), -EINVAL);
	assert_non_null(strstr(v->error, "3 sectors per cluster"));
	memcpy(img.data, pristine.data, 512);
	img.data[11] = 0; /* 0 bytes per sector */
	img.data[12] = 0;
	assert_int_equal(fat32_mount(v, read_image, &img, img.size / 512), -EINVAL);
	memcpy(img.data, pristine.data, 512);
	img.data[44] = 0xff; /* root cluster far outside */
	img.data[47] = 0x0f;
	assert_int_equal(fat32_mount(v, read_image, &img, img.size / 512), -EINVAL);
	assert_non_null(strstr(v->error, "root directory cluster"));
	memcpy(img.data, pristine.data, 512);
	/* A disk cut short: the volume says it is larger than the device. */
	assert_int_equal(fat32_mount(v, read_image, &img, img.size / 512 / 2), -EINVAL);
	assert_non_null(strstr(v->error, "is larger than the disk"));
	/* Not a FAT32 volume at all (all zeros). */
	memset(img.data, 0, 512);
	assert_int_equal(fat32_mount(v, read_image, &img, img.size / 512), -EINVAL);
	/* A failing disk: the callback's error comes back. */
	struct image tiny = { .data = img.data, .size = 0 };
	assert_int_equal(fat32_mount(v, read_image, &tiny, 1), -EIO);
	assert_non_null(strstr(v->error, "disk read of sectors 0+1 failed"));
	free(v);
	free(img.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mount_geometry),
		cmocka_unit_test(test_large_file_reads_back),
		cmocka_unit_test(test_reads_at_offsets_and_backwards),
		cmocka_unit_test(test_fragmented_file_reads_back),
		cmocka_unit_test(test_long_names_deep_directories_and_case),
		cmocka_unit_test(test_listing_keeps_names_and_case),
		cmocka_unit_test(test_missing_paths),
		cmocka_unit_test(test_corrupt_chains),
		cmocka_unit_test(test_corrupt_directory_entry_size),
		cmocka_unit_test(test_bad_boot_sectors),
	};
	return cmocka_run_group_tests(tests, make_volume, remove_volume);
}
