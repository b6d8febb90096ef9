/* SPDX-License-Identifier: Apache-2.0 */
/* The guest page-table walker (src/virt/gpt.c) with made-up descriptor formats: an Arm-like one
 * (type bits 0b11 table/page, 0b01 block, 2 MiB blocks at most) and a RISC-V-like one (the frame
 * number at bit 10, a 4-page root, 1 GiB leaves). Tables come from the C heap through the
 * frame_alloc below; host addresses are only numbers the walker stores. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/mm.h"
#include "lib/errno.h"
#include "virt/arch_vm.h"
#include "virt/gpt.h"

#define MiB_(n) ((uint64_t)(n) << 20)
#define GiB_(n) ((uint64_t)(n) << 30)

static int frames_out;   /* frames allocated and not freed */
static int allocs_left;  /* frame_alloc fails once this reaches 0; -1: never */

paddr_t frame_alloc(size_t count, size_t align_frames)
{
	if (allocs_left == 0)
		return 0;
	if (allocs_left > 0)
		allocs_left--;
	void *p = aligned_alloc(align_frames * PAGE_SIZE, count * PAGE_SIZE);
	assert_non_null(p);
	memset(p, 0xa5, count * PAGE_SIZE); /* the walker must clear it */
	frames_out += (int)count;
	return (paddr_t)(uintptr_t)p;
}

void frame_free(paddr_t base, size_t count)
{
	frames_out -= (int)count;
	free((void *)(uintptr_t)base);
}

static uint64_t arm_like_attributes(unsigned permissions)
{
	return (1ULL << 10) | ((permissions & GPT_WRITE) ? 1ULL << 7 : 0) | ((uint64_t)permissions << 55);
}

static const struct gpt_format arm_like = {
	.page_shift = 12, .level_bits = 9, .root_pages = 1, .max_block_level = 1,
	.oa_shift = 12, .oa_mask = 0x0000fffffffff000ULL, .valid = 0x1,
	.type_mask = 0x3, .table_type = 0x3, .table_bits = 0x3, .page_bits = 0x3, .block_bits = 0x1,
	.leaf_attributes = arm_like_attributes,
};

static uint64_t riscv_like_attributes(unsigned permissions)
{
	return 0x1 | 0xd0 | ((uint64_t)(permissions & 0x7) << 1);
}

static const struct gpt_format riscv_like = {
	.page_shift = 12, .level_bits = 9, .root_pages = 4, .max_block_level = 2,
	.oa_shift = 10, .oa_mask = 0xfffffffffffULL << 10, .valid = 0x1,
	.type_mask = 0xf, .table_type = 0x1, .table_bits = 0x1,
	.leaf_attributes = riscv_like_attributes,
};

static int setup(void **state)
{
	(void)state;
	frames_out = 0;
	allocs_left = -1;
	return 0;
}

static struct gpt new_gpt(const struct gpt_format *f, unsigned levels, unsigned gpa_bits)
{
	struct gpt g = { f, gpt_alloc_root(f), levels, gpa_bits };
	assert_non_null(g.root);
	for (size_t i = 0; i < f->root_pages * 512; i++)
		assert_int_equal(g.root[i], 0);
	return g;
}

static void assert_maps(const struct gpt *g, gpa_t gpa, hpa_t expected)
{
	hpa_t hpa = 0;
	assert_int_equal(gpt_translate(g, gpa, &hpa), 0);
	assert_int_equal(hpa, expected);
}

static void assert_unmapped(const struct gpt *g, gpa_t gpa)
{
	hpa_t hpa = 0;
	assert_int_equal(gpt_translate(g, gpa, &hpa), -EFAULT);
}

static void free_gpt(struct gpt *g)
{
	gpt_free(g);
	assert_int_equal(frames_out, 0);
}

/* 2 MiB blocks where both addresses are aligned, pages around them; the tables it takes show which. */
static void test_blocks_where_aligned(void **state)
{
	(void)state;
	struct gpt g = new_gpt(&arm_like, 3, 39);
	/* [2 MiB - 4 KiB, 6 MiB + 4 KiB): one page, two blocks, one page. */
	assert_int_equal(gpt_map(&g, MiB_(2) - 0x1000, 0x80000000 - 0x1000, MiB_(4) + 0x2000, GPT_READ | GPT_WRITE), 0);
	/* root + one level-1 table (under GiB 0) + two page tables (MiB 0-2 and 6-8). */
	assert_int_equal(frames_out, 4);
	assert_maps(&g, MiB_(2) - 0x1000, 0x80000000 - 0x1000);
	assert_maps(&g, MiB_(2) + 0x12345, 0x80012345);
	assert_maps(&g, MiB_(6) + 0xfff, 0x80400fff);
	assert_unmapped(&g, MiB_(2) - 0x2000);
	assert_unmapped(&g, MiB_(6) + 0x1000);
	/* The leaves: a block descriptor (0b01) for 2 MiB, a page (0b11) for 4 KiB, attributes kept. */
	uint64_t *l1 = (uint64_t *)(uintptr_t)(g.root[0] & arm_like.oa_mask);
	assert_int_equal(g.root[0] & 3, 3);
	assert_int_equal(l1[1], 0x80000000ULL | arm_like_attributes(GPT_READ | GPT_WRITE) | 0x1);
	uint64_t *pt = (uint64_t *)(uintptr_t)(l1[0] & arm_like.oa_mask);
	assert_int_equal(pt[511], (0x80000000ULL - 0x1000) | arm_like_attributes(GPT_READ | GPT_WRITE) | 0x3);
	/* Misaligned hpa: pages only. */
	assert_int_equal(gpt_map(&g, GiB_(1), 0x80001000, MiB_(2), GPT_READ), 0);
	assert_int_equal(frames_out, 6);
	assert_maps(&g, GiB_(1) + MiB_(2) - 1, 0x80001000 + MiB_(2) - 1);
	free_gpt(&g);
}

static void test_out_of_range_and_unaligned(void **state)
{
	(void)state;
	struct gpt g = new_gpt(&arm_like, 3, 39);
	assert_int_equal(gpt_map(&g, 0x800, 0, 0x1000, GPT_READ), -EINVAL);
	assert_int_equal(gpt_map(&g, 0, 0x800, 0x1000, GPT_READ), -EINVAL);
	assert_int_equal(gpt_map(&g, 0, 0, 0x800, GPT_READ), -EINVAL);
	assert_int_equal(gpt_map(&g, (1ULL << 39) - 0x1000, 0, 0x2000, GPT_READ), -EINVAL);
	assert_int_equal(gpt_map(&g, -0x1000ULL, 0, 0x2000, GPT_READ), -EINVAL);
	assert_int_equal(gpt_map(&g, (1ULL << 39) - 0x1000, 0x5000, 0x1000, GPT_READ), 0);
	assert_maps(&g, (1ULL << 39) - 1, 0x5fff);
	/* Beyond the address size: not an alias of a lower address. */
	assert_unmapped(&g, (1ULL << 40) - 1);
	free_gpt(&g);
	/* Nothing mapped, no root: translate and unmap just find nothing. */
	struct gpt none = { &arm_like, NULL, 3, 39 };
	assert_unmapped(&none, 0);
	assert_int_equal(gpt_unmap(&none, 0, MiB_(4)), 0);
	gpt_free(&none);
}

/* Unmapping part of a block splits it: the rest keeps its mapping and attributes. */
static void test_unmap_splits_blocks(void **state)
{
	(void)state;
	struct gpt g = new_gpt(&arm_like, 4, 48);
	assert_int_equal(gpt_map(&g, MiB_(4), GiB_(2), MiB_(4), GPT_READ | GPT_EXECUTE), 0);
	assert_int_equal(frames_out, 3);
	assert_int_equal(gpt_unmap(&g, MiB_(5), 0x3000), 0);
	assert_int_equal(frames_out, 4); /* one block became a page table */
	assert_maps(&g, MiB_(5) - 1, GiB_(2) + MiB_(1) - 1);
	assert_unmapped(&g, MiB_(5));
	assert_unmapped(&g, MiB_(5) + 0x2fff);
	assert_maps(&g, MiB_(5) + 0x3000, GiB_(2) + MiB_(1) + 0x3000);
	assert_maps(&g, MiB_(7), GiB_(2) + MiB_(3));
	uint64_t *l0 = (uint64_t *)(uintptr_t)(g.root[0] & arm_like.oa_mask);
	uint64_t *l1 = (uint64_t *)(uintptr_t)(l0[0] & arm_like.oa_mask);
	uint64_t *pt = (uint64_t *)(uintptr_t)(l1[2] & arm_like.oa_mask);
	assert_int_equal(pt[3], (GiB_(2) + 0x3000) | arm_like_attributes(GPT_READ | GPT_EXECUTE) | 0x3);
	/* A whole aligned block goes at once; unmapping nothing is fine. */
	assert_int_equal(gpt_unmap(&g, MiB_(6), MiB_(2)), 0);
	assert_unmapped(&g, MiB_(7));
	assert_int_equal(gpt_unmap(&g, GiB_(5), MiB_(8)), 0);
	free_gpt(&g);
}

/* Mapping again: 1 when a valid entry was replaced; a block over a finer mapping goes page by page. */
static void test_remap(void **state)
{
	(void)state;
	struct gpt g = new_gpt(&arm_like, 3, 39);
	assert_int_equal(gpt_map(&g, MiB_(2) + 0x1000, 0x1000, 0x1000, GPT_READ), 0);
	assert_int_equal(gpt_map(&g, MiB_(4), 0x40000000, MiB_(2), GPT_READ), 0);
	assert_int_equal(gpt_map(&g, MiB_(2), 0x20000000, MiB_(2), GPT_READ), 1);
	assert_int_equal(frames_out, 3);
	assert_maps(&g, MiB_(2) + 0x1000, 0x20001000);
	assert_maps(&g, MiB_(4) - 1, 0x20200000 - 1);
	uint64_t *l1 = (uint64_t *)(uintptr_t)(g.root[0] & arm_like.oa_mask);
	assert_int_equal(l1[1] & 3, 3); /* still a table */
	assert_int_equal(gpt_map(&g, MiB_(4), 0x60000000, MiB_(2), GPT_READ), 1);
	assert_maps(&g, MiB_(5), 0x60100000);
	assert_int_equal(l1[2] & 3, 1); /* still a block */
	free_gpt(&g);
}

/* The RISC-V-like format: a 4-page root indexed by 11 bits, 1 GiB leaves, the frame at bit 10. */
static void test_wide_root_and_gib_leaves(void **state)
{
	(void)state;
	struct gpt g = new_gpt(&riscv_like, 3, 41);
	assert_int_equal(frames_out, 4);
	assert_int_equal((uintptr_t)g.root & 0x3fff, 0);
	assert_int_equal(gpt_map(&g, GiB_(1536), GiB_(3), GiB_(1) + MiB_(2) + 0x1000, GPT_READ | GPT_WRITE), 0);
	/* A 1 GiB leaf in root entry 1536, a 2 MiB leaf and a page under root entry 1537. */
	assert_int_equal(frames_out, 6);
	assert_int_equal(g.root[1536], ((GiB_(3) >> 12) << 10) | riscv_like_attributes(GPT_READ | GPT_WRITE));
	assert_maps(&g, GiB_(1536) + 0x3456789, GiB_(3) + 0x3456789);
	assert_maps(&g, GiB_(1537) + MiB_(2) + 0xfff, GiB_(4) + MiB_(2) + 0xfff);
	assert_unmapped(&g, GiB_(1537) + MiB_(2) + 0x1000);
	assert_unmapped(&g, GiB_(2048));
	/* Unmapping a page of the 1 GiB leaf splits it into 2 MiB leaves and one page table. */
	assert_int_equal(gpt_unmap(&g, GiB_(1536) + MiB_(600), 0x1000), 0);
	assert_int_equal(frames_out, 8);
	assert_unmapped(&g, GiB_(1536) + MiB_(600));
	assert_maps(&g, GiB_(1536) + MiB_(600) + 0x1000, GiB_(3) + MiB_(600) + 0x1000);
	assert_maps(&g, GiB_(1536) + MiB_(1000), GiB_(3) + MiB_(1000));
	free_gpt(&g);
}

static void test_out_of_memory(void **state)
{
	(void)state;
	struct gpt g = new_gpt(&arm_like, 3, 39);
	allocs_left = 1; /* the level-1 table, not the page table */
	assert_int_equal(gpt_map(&g, 0, 0, 0x1000, GPT_READ), -ENOMEM);
	assert_int_equal(gpt_map(&g, 0, 0, MiB_(2), GPT_READ), 0); /* a block needs no more */
	assert_int_equal(gpt_unmap(&g, 0, 0x1000), -ENOMEM);     /* cannot split it */
	assert_maps(&g, 0x1000, 0x1000);
	allocs_left = -1;
	free_gpt(&g);
	allocs_left = 0;
	assert_null(gpt_alloc_root(&riscv_like));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_blocks_where_aligned, setup),
		cmocka_unit_test_setup(test_out_of_range_and_unaligned, setup),
		cmocka_unit_test_setup(test_unmap_splits_blocks, setup),
		cmocka_unit_test_setup(test_remap, setup),
		cmocka_unit_test_setup(test_wide_root_and_gib_leaves, setup),
		cmocka_unit_test_setup(test_out_of_memory, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
