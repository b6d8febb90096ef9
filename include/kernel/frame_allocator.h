/* SPDX-License-Identifier: Apache-2.0 */
/* A bitmap frame allocator over one physical window. Pure data structure (no locking, no global
 * state); host-tested in tests/unit/test_frame_allocator.c. Frames start out used: the caller
 * frees the ranges that are RAM and not reserved. */
#ifndef KERNEL_FRAME_ALLOCATOR_H
#define KERNEL_FRAME_ALLOCATOR_H

#include "lib/types.h"

struct frame_allocator {
	paddr_t base;      /* first frame's address, page aligned */
	size_t frames;     /* frames covered by the bitmap */
	uint64_t *bitmap;  /* 1 = used */
	uint64_t *dirty;   /* 1 = may hold data: handed out since it was last cleared, or of unknown
			    * contents since boot */
	size_t free_count;
	size_t dirty_free; /* free frames with the dirty bit: the scrubber's work */
	size_t scrubbing;  /* frames taken by frame_allocator_take_dirty, not yet given back */
	size_t search_hint;
	size_t scrub_hint; /* where the next search for dirty free frames starts */
};

/* Bytes of bitmap storage needed for a window of 'frames' frames. */
size_t frame_allocator_bitmap_bytes(size_t frames);
/* bitmap and dirty each take frame_allocator_bitmap_bytes(frames). ram_zeroed: whether the
 * window's RAM is known to read as zero now (then frames are cleared only once they have been
 * used); otherwise every frame counts as holding data until it is cleared. */
void frame_allocator_init(struct frame_allocator *fa, paddr_t base, size_t frames, uint64_t *bitmap, uint64_t *dirty,
			  bool ram_zeroed);
/* Marks [base, base+size) free or used; clipped to the window, partial frames excluded (free)
 * or included (reserve). */
void frame_allocator_release_range(struct frame_allocator *fa, paddr_t base, uint64_t size);
void frame_allocator_reserve_range(struct frame_allocator *fa, paddr_t base, uint64_t size);
/* count contiguous free frames at a multiple of align_frames (a power of two), marked used and
 * dirty; 0 when none. */
__must_check paddr_t frame_allocator_alloc(struct frame_allocator *fa, size_t count, size_t align_frames);
typedef void (*frame_range_fn)(paddr_t base, size_t count, void *ctx);
/* Like frame_allocator_alloc, but first reports the runs that were dirty (to be zeroed by the
 * caller) through fn. */
__must_check paddr_t frame_allocator_alloc_clean(struct frame_allocator *fa, size_t count,
						 size_t align_frames, frame_range_fn fn, void *ctx);
/* Marks a specific range used if every frame of it is free; -EBUSY otherwise (nothing changes). */
__must_check int frame_allocator_claim(struct frame_allocator *fa, paddr_t base, size_t count);
/* Returns -EINVAL for a range outside the window or not fully allocated (double free). */
__must_check int frame_allocator_free(struct frame_allocator *fa, paddr_t base, size_t count);

/* Background scrubbing (kernel/mm.c): takes up to max contiguous free frames that are dirty,
 * lowest first (where first-fit allocation looks first), marked used so that nobody is handed
 * them while they are cleared; *count = how many (0: none dirty, returns 0). The caller clears
 * them and gives them back, free and clean, with frame_allocator_give_back_clean. */
__must_check paddr_t frame_allocator_take_dirty(struct frame_allocator *fa, size_t max, size_t *count);
void frame_allocator_give_back_clean(struct frame_allocator *fa, paddr_t base, size_t count);

#endif
