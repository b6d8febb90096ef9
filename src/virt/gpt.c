/* SPDX-License-Identifier: Apache-2.0 */
/* The guest page-table walker (virt/gpt.h), one for the three guest-physical translations:
 * - Arm stage 2 (Arm ARM D8.3 "Translation table descriptor formats"): bit 0 valid, bits[1:0]
 *   0b11 a table above level 3 and a page at level 3, 0b01 a block;
 * - RISC-V G-stage (privileged spec 18.5 "Two-Stage Address Translation", Sv39x4): V valid,
 *   R = W = X = 0 a pointer to the next level, anything else a leaf at any level; a 16 KiB root;
 * - AMD nested paging (APM vol. 2 15.25, the long-mode format of 5.3): P valid, PS a 2 MiB or
 *   1 GiB leaf, a level-0 (PTE) entry always a page.
 * In all three an entry holds its output frame number at a fixed place, the low levels index
 * 9 bits each, and a block can be split into a table of the same mapping one level down. */
#include "virt/gpt.h"
#include "kernel/mm.h"
#include "lib/errno.h"
#include "lib/string.h"

static uint64_t level_size(const struct gpt_format *f, unsigned level)
{
	return 1ULL << (f->page_shift + f->level_bits * level);
}

static uint64_t address_of(const struct gpt_format *f, uint64_t e)
{
	return (e & f->oa_mask) >> f->oa_shift << f->page_shift;
}

static uint64_t entry_address(const struct gpt_format *f, uint64_t pa)
{
	return (pa >> f->page_shift << f->oa_shift) & f->oa_mask;
}

/* Only meaningful above level 0 (an Arm page has the table encoding). */
static bool is_table(const struct gpt_format *f, uint64_t e)
{
	return (e & f->type_mask) == f->table_type;
}

static uint64_t *new_table(size_t pages)
{
	paddr_t pa = frame_alloc(pages, pages);
	if (!pa)
		return NULL;
	memset(phys_to_virt(pa), 0, pages * PAGE_SIZE);
	return phys_to_virt(pa);
}

uint64_t *gpt_alloc_root(const struct gpt_format *format)
{
	return new_table(format->root_pages);
}

static void free_tables(const struct gpt_format *f, uint64_t *table, unsigned level, size_t pages)
{
	for (size_t i = 0; level && i < (pages << f->level_bits); i++)
		if (is_table(f, table[i]))
			free_tables(f, phys_to_virt(address_of(f, table[i])), level - 1, 1);
	frame_free(virt_to_phys(table), pages);
}

void gpt_free(const struct gpt *gpt)
{
	if (gpt->root)
		free_tables(gpt->format, gpt->root, gpt->levels - 1, gpt->format->root_pages);
}

static unsigned index_at(const struct gpt *gpt, gpa_t gpa, unsigned level)
{
	const struct gpt_format *f = gpt->format;
	uint64_t entries = 1ULL << f->level_bits;
	if (level == gpt->levels - 1)
		entries *= f->root_pages;
	return (unsigned)(gpa >> (f->page_shift + f->level_bits * level)) & (entries - 1);
}

/* The entry for gpa at 'level', creating tables on the way (a block in the way is split into the
 * same mapping one level down, its attributes kept). */
static uint64_t *entry_for(const struct gpt *gpt, gpa_t gpa, unsigned level)
{
	const struct gpt_format *f = gpt->format;
	uint64_t *table = gpt->root;
	for (unsigned l = gpt->levels - 1; l > level; l--) {
		uint64_t *e = &table[index_at(gpt, gpa, l)];
		if (!is_table(f, *e)) {
			uint64_t *next = new_table(1);
			if (!next)
				return NULL;
			if (*e & f->valid) {
				uint64_t step = level_size(f, l - 1), base = address_of(f, *e);
				uint64_t bits = (*e & ~f->oa_mask & ~(f->page_bits | f->block_bits)) |
						(l - 1 ? f->block_bits : f->page_bits);
				for (uint64_t i = 0; i < (1ULL << f->level_bits); i++)
					next[i] = entry_address(f, base + i * step) | bits;
			}
			*e = entry_address(f, virt_to_phys(next)) | f->table_bits;
		}
		table = phys_to_virt(address_of(f, *e));
	}
	return &table[index_at(gpt, gpa, level)];
}

int gpt_map(const struct gpt *gpt, gpa_t gpa, hpa_t hpa, uint64_t size, unsigned permissions)
{
	const struct gpt_format *f = gpt->format;
	if (!IS_ALIGNED(gpa | hpa | size, PAGE_SIZE) || gpa + size > (1ULL << gpt->gpa_bits) || gpa + size < gpa)
		return -EINVAL;
	uint64_t attributes = f->leaf_attributes(permissions);
	bool replaced = false;
	while (size) {
		unsigned level = f->max_block_level;
		while (level && !(IS_ALIGNED(gpa | hpa, level_size(f, level)) && size >= level_size(f, level)))
			level--;
		uint64_t *e = entry_for(gpt, gpa, level);
		if (!e)
			return -ENOMEM;
		if (level && is_table(f, *e)) {
			/* A finer mapping is here: map this range page by page instead. */
			level = 0;
			e = entry_for(gpt, gpa, 0);
			if (!e)
				return -ENOMEM;
		}
		replaced |= (*e & f->valid) != 0;
		*e = entry_address(f, hpa) | attributes | (level ? f->block_bits : f->page_bits);
		gpa += level_size(f, level);
		hpa += level_size(f, level);
		size -= level_size(f, level);
	}
	return replaced;
}

/* The valid leaf mapping gpa and the size it covers, or NULL. */
static uint64_t *leaf_for(const struct gpt *gpt, gpa_t gpa, uint64_t *covers)
{
	const struct gpt_format *f = gpt->format;
	uint64_t *table = gpt->root;
	if (!table || gpa >> gpt->gpa_bits)
		return NULL;
	for (unsigned level = gpt->levels - 1;; level--) {
		uint64_t *e = &table[index_at(gpt, gpa, level)];
		if (!(*e & f->valid))
			return NULL;
		if (!level || !is_table(f, *e)) {
			*covers = level_size(f, level);
			return e;
		}
		table = phys_to_virt(address_of(f, *e));
	}
}

int gpt_unmap(const struct gpt *gpt, gpa_t gpa, uint64_t size)
{
	while (size) {
		uint64_t covers = PAGE_SIZE;
		uint64_t *e = leaf_for(gpt, gpa, &covers);
		if (e && covers > PAGE_SIZE && (!IS_ALIGNED(gpa, covers) || size < covers)) {
			e = entry_for(gpt, gpa, 0); /* split the block, then clear one page */
			covers = PAGE_SIZE;
			if (!e)
				return -ENOMEM;
		}
		if (e)
			*e = 0;
		gpa += covers;
		size = size > covers ? size - covers : 0;
	}
	return 0;
}

int gpt_translate(const struct gpt *gpt, gpa_t gpa, hpa_t *hpa)
{
	uint64_t covers;
	uint64_t *e = leaf_for(gpt, gpa, &covers);
	if (!e)
		return -EFAULT;
	*hpa = (address_of(gpt->format, *e) & ~(covers - 1)) | (gpa & (covers - 1));
	return 0;
}
