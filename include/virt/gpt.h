/* SPDX-License-Identifier: Apache-2.0 */
/* The guest page-table walker shared by the three arches (src/virt/gpt.c): guest-physical to
 * host-physical tables of 2^level_bits entries per page, walked from a root that may span
 * several pages. Each arch describes its descriptors in a struct gpt_format (Arm stage 2, Arm ARM
 * D8.3; RISC-V G-stage, privileged spec 18.5; AMD nested paging, APM vol. 2 15.25) and keeps its
 * own registers, VMIDs/ASIDs and TLB maintenance.
 * Levels count up from the leaves: a level-0 entry maps one page, a level-l entry covers
 * 2^(page_shift + level_bits * l) bytes (level 1: 2 MiB, level 2: 1 GiB with 4 KiB pages). */
#ifndef VIRT_GPT_H
#define VIRT_GPT_H

#include "lib/types.h"

struct gpt_format {
	uint8_t page_shift;      /* 12: 4 KiB pages, and every table below the root is one page */
	uint8_t level_bits;      /* index bits per level: 9 */
	uint8_t root_pages;      /* pages of the root table (a power of two), aligned to its size */
	uint8_t max_block_level; /* the highest level map uses for a leaf (a block) */
	uint8_t oa_shift;        /* the bit where an entry holds its output frame number */
	uint64_t oa_mask;        /* the entry's output frame number bits */
	uint64_t valid;          /* the bit set in every valid entry */
	uint64_t type_mask;      /* above level 0, (e & type_mask) == table_type: a table */
	uint64_t table_type;
	uint64_t table_bits;     /* a table entry: these | its address */
	uint64_t page_bits;      /* a leaf: its address | leaf_attributes() | these at level 0 */
	uint64_t block_bits;     /*   ... or these above it */
	uint64_t (*leaf_attributes)(unsigned permissions); /* the leaf bits for GPT_* permissions */
};

/* One VM's table: the arch builds it from its own fields for each call. */
struct gpt {
	const struct gpt_format *format;
	uint64_t *root;     /* NULL: nothing is mapped */
	unsigned levels;    /* the root is at level levels - 1 */
	unsigned gpa_bits;  /* guest-physical addresses from 2^gpa_bits up are out of range */
};

/* An empty root table for the format (frame_alloc), or NULL. */
__must_check uint64_t *gpt_alloc_root(const struct gpt_format *format);
/* Frees every table, the root included. */
void gpt_free(const struct gpt *gpt);
/* Maps [gpa, gpa + size) to hpa with the largest leaves alignment and size allow, splitting blocks
 * in the way. 1 when a valid entry was replaced (the arch flushes), 0 when none, -EINVAL, -ENOMEM. */
__must_check int gpt_map(const struct gpt *gpt, gpa_t gpa, hpa_t hpa, uint64_t size, unsigned permissions);
/* Removes what maps [gpa, gpa + size) (a block partly covered is split first); the arch flushes. */
__must_check int gpt_unmap(const struct gpt *gpt, gpa_t gpa, uint64_t size);
/* The host address behind gpa; -EFAULT when unmapped. */
__must_check int gpt_translate(const struct gpt *gpt, gpa_t gpa, hpa_t *hpa);

#endif
