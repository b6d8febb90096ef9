/* SPDX-License-Identifier: Apache-2.0 */
/* Bitmap frame allocator (see kernel/frame_allocator.h). One bit per 4 KiB frame; a search hint
 * makes successive single-frame allocations O(1) amortized. */
#include "kernel/frame_allocator.h"
#include "lib/errno.h"
#include "lib/string.h"

static bool frame_used(const struct frame_allocator *fa, size_t i)
{
	return (fa->bitmap[i / 64] >> (i % 64)) & 1;
}

static void frame_set(struct frame_allocator *fa, size_t i, bool used)
{
	if (used)
		fa->bitmap[i / 64] |= 1ULL << (i % 64);
	else
		fa->bitmap[i / 64] &= ~(1ULL << (i % 64));
}

size_t frame_allocator_bitmap_bytes(size_t frames)
{
	return (frames + 63) / 64 * 8;
}

void frame_allocator_init(struct frame_allocator *fa, paddr_t base, size_t frames, uint64_t *bitmap, uint64_t *dirty,
			  bool ram_zeroed)
{
	fa->base = ALIGN_DOWN(base, PAGE_SIZE);
	fa->frames = frames;
	fa->bitmap = bitmap;
	fa->dirty = dirty;
	fa->free_count = 0;
	fa->dirty_free = 0;
	fa->scrubbing = 0;
	fa->search_hint = 0;
	fa->scrub_hint = 0;
	memset(bitmap, 0xff, frame_allocator_bitmap_bytes(frames));
	memset(dirty, ram_zeroed ? 0 : 0xff, frame_allocator_bitmap_bytes(frames));
}

static bool frame_dirty(const struct frame_allocator *fa, size_t i)
{
	return (fa->dirty[i / 64] >> (i % 64)) & 1;
}

static void frame_set_dirty(struct frame_allocator *fa, size_t i, bool dirty)
{
	if (dirty)
		fa->dirty[i / 64] |= 1ULL << (i % 64);
	else
		fa->dirty[i / 64] &= ~(1ULL << (i % 64));
}

/* Frame i goes from free to used: a dirty one leaves the scrubber's work. */
static void take_frame(struct frame_allocator *fa, size_t i)
{
	frame_set(fa, i, true);
	if (frame_dirty(fa, i))
		fa->dirty_free--;
}

/* Frame i goes from used to free, holding whatever its owner left. */
static void give_frame(struct frame_allocator *fa, size_t i)
{
	frame_set(fa, i, false);
	if (frame_dirty(fa, i))
		fa->dirty_free++;
}

/* Clips [base, base+size) to the window as frame indices [*first, *end). */
static bool clip(const struct frame_allocator *fa, paddr_t start, paddr_t end, size_t *first, size_t *last)
{
	paddr_t window_end = fa->base + (paddr_t)fa->frames * PAGE_SIZE;
	if (end <= fa->base || start >= window_end || start >= end)
		return false;
	start = MAX(start, fa->base);
	end = MIN(end, window_end);
	*first = (size_t)((start - fa->base) / PAGE_SIZE);
	*last = (size_t)((end - fa->base) / PAGE_SIZE);
	return *first < *last;
}

/* The bits of bitmap word w that stand for frames in [first, end). */
static inline __attribute__((always_inline)) uint64_t range_mask(size_t w, size_t first, size_t end)
{
	size_t lo = w * 64, hi = lo + 64;
	uint64_t mask = ~0ULL;
	if (first > lo)
		mask &= ~0ULL << (first - lo);
	if (end < hi)
		mask &= ~0ULL >> (hi - end);
	return mask;
}

/* Set bits (no popcount instruction: aarch64 would need the SIMD registers, which the hypervisor
 * does not use). */
static inline __attribute__((always_inline)) unsigned count_bits(uint64_t v)
{
	if (v == UINT64_MAX) /* the common case: a whole word of frames released or taken */
		return 64;
	v = v - ((v >> 1) & 0x5555555555555555ULL);
	v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
	v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (unsigned)((v * 0x0101010101010101ULL) >> 56);
}

/* Frees the used frames of word w that mask selects; counts them, and those that may hold data. */
static inline __attribute__((always_inline)) void release_word(uint64_t *bitmap, const uint64_t *dirty, size_t w,
							      uint64_t mask, size_t *freed, size_t *freed_dirty)
{
	uint64_t bits = bitmap[w] & mask;
	bitmap[w] &= ~bits;
	*freed += count_bits(bits);
	*freed_dirty += count_bits(bits & dirty[w]);
}

/* A word of frames at a time, the words inside the range without a mask, the counts in locals (a
 * store to the bitmap could alias them): boot releases all of RAM (4096 words a GiB), which was
 * 300 000 instructions of every boot at 73 a word (10 million at a frame a time). */
void frame_allocator_release_range(struct frame_allocator *fa, paddr_t base, uint64_t size)
{
	size_t first, end;
	/* Only whole frames inside the range become free. */
	if (!clip(fa, ALIGN_UP(base, PAGE_SIZE), ALIGN_DOWN(base + size, PAGE_SIZE), &first, &end))
		return;
	size_t freed = 0, freed_dirty = 0, w = first / 64, last = (end - 1) / 64;
	release_word(fa->bitmap, fa->dirty, w, range_mask(w, first, end), &freed, &freed_dirty);
	for (w++; w < last; w++)
		release_word(fa->bitmap, fa->dirty, w, ~0ULL, &freed, &freed_dirty);
	if (last > first / 64)
		release_word(fa->bitmap, fa->dirty, last, range_mask(last, first, end), &freed, &freed_dirty);
	fa->free_count += freed;
	fa->dirty_free += freed_dirty;
	if (first < fa->search_hint)
		fa->search_hint = first;
	if (first < fa->scrub_hint)
		fa->scrub_hint = first;
}

void frame_allocator_reserve_range(struct frame_allocator *fa, paddr_t base, uint64_t size)
{
	size_t first, end;
	/* Any frame the range touches becomes used. */
	if (!clip(fa, ALIGN_DOWN(base, PAGE_SIZE), ALIGN_UP(base + size, PAGE_SIZE), &first, &end))
		return;
	for (size_t w = first / 64; w * 64 < end; w++) {
		uint64_t taken = ~fa->bitmap[w] & range_mask(w, first, end);
		fa->bitmap[w] |= taken;
		fa->free_count -= count_bits(taken);
		fa->dirty_free -= count_bits(taken & fa->dirty[w]);
	}
}

/* First-fit search for count free frames at an index multiple of align, from index 'from'. */
static size_t find_run(const struct frame_allocator *fa, size_t from, size_t count, size_t align)
{
	size_t i = ALIGN_UP(from, align);
	while (i + count <= fa->frames) {
		/* Skip fully used words quickly. */
		if (fa->bitmap[i / 64] == UINT64_MAX && i % 64 == 0) {
			i = ALIGN_UP(i + 64, align);
			continue;
		}
		size_t run = 0;
		while (run < count) {
			size_t at = i + run;
			if (at % 64 == 0 && count - run >= 64 && fa->bitmap[at / 64] == 0) {
				run += 64; /* a whole free word */
				continue;
			}
			if (frame_used(fa, at))
				break;
			run++;
		}
		if (run == count)
			return i;
		i = ALIGN_UP(i + run + 1, align);
	}
	return SIZE_MAX;
}

paddr_t frame_allocator_alloc(struct frame_allocator *fa, size_t count, size_t align_frames)
{
	return frame_allocator_alloc_clean(fa, count, align_frames, NULL, NULL);
}

paddr_t frame_allocator_alloc_clean(struct frame_allocator *fa, size_t count, size_t align_frames, frame_range_fn fn,
				    void *ctx)
{
	if (count == 0 || count > fa->free_count)
		return 0;
	if (align_frames == 0)
		align_frames = 1;
	if (align_frames & (align_frames - 1))
		return 0;
	size_t start = find_run(fa, fa->search_hint, count, align_frames);
	if (start == SIZE_MAX && fa->search_hint)
		start = find_run(fa, 0, count, align_frames);
	if (start == SIZE_MAX)
		return 0;
	/* A word at a time (a VM's RAM is thousands of frames): each taken, each marked dirty (its
	 * owner will write it), and the runs of frames that were dirty handed to fn to be cleared. */
	size_t end = start + count, run_start = start, run = 0;
	for (size_t w = start / 64; w * 64 < end; w++) {
		uint64_t mask = range_mask(w, start, end), dirty = fa->dirty[w] & mask;
		fa->bitmap[w] |= mask;
		fa->dirty_free -= count_bits(dirty);
		fa->dirty[w] |= mask;
		size_t lo = MAX(w * 64, start), hi = MIN(w * 64 + 64, end);
		if (dirty == mask) {
			if (!run)
				run_start = lo;
			run += hi - lo;
			continue;
		}
		for (size_t i = lo; i < hi; i++) {
			if ((dirty >> (i % 64)) & 1) {
				if (!run)
					run_start = i;
				run++;
			} else if (run) {
				if (fn)
					fn(fa->base + (paddr_t)run_start * PAGE_SIZE, run, ctx);
				run = 0;
			}
		}
	}
	if (run && fn)
		fn(fa->base + (paddr_t)run_start * PAGE_SIZE, run, ctx);
	fa->free_count -= count;
	if (count == 1 && start == fa->search_hint)
		fa->search_hint = start + 1;
	return fa->base + (paddr_t)start * PAGE_SIZE;
}

int frame_allocator_free(struct frame_allocator *fa, paddr_t base, size_t count)
{
	if (base < fa->base || !IS_ALIGNED(base, PAGE_SIZE) || count == 0)
		return -EINVAL;
	size_t first = (size_t)((base - fa->base) / PAGE_SIZE);
	if (first + count > fa->frames || first + count < first)
		return -EINVAL;
	for (size_t i = first; i < first + count; i++)
		if (!frame_used(fa, i))
			return -EINVAL;
	for (size_t i = first; i < first + count; i++)
		give_frame(fa, i);
	fa->free_count += count;
	if (first < fa->search_hint)
		fa->search_hint = first;
	if (first < fa->scrub_hint)
		fa->scrub_hint = first;
	return 0;
}

int frame_allocator_claim(struct frame_allocator *fa, paddr_t base, size_t count)
{
	if (base < fa->base || !IS_ALIGNED(base, PAGE_SIZE) || count == 0)
		return -EBUSY;
	size_t first = (size_t)((base - fa->base) / PAGE_SIZE);
	if (first + count > fa->frames || first + count < first)
		return -EBUSY;
	for (size_t i = first; i < first + count; i++)
		if (frame_used(fa, i))
			return -EBUSY;
	for (size_t i = first; i < first + count; i++) {
		take_frame(fa, i);
		frame_set_dirty(fa, i, true); /* its owner will write it */
	}
	fa->free_count -= count;
	return 0;
}

/* The first free dirty frame at or after 'from', or SIZE_MAX. Whole words that are used or clean
 * are skipped 64 frames at a time. */
static size_t find_dirty_free(const struct frame_allocator *fa, size_t from)
{
	for (size_t i = from; i < fa->frames;) {
		uint64_t candidates = fa->dirty[i / 64] & ~fa->bitmap[i / 64];
		candidates &= UINT64_MAX << (i % 64);
		if (candidates) {
			size_t found = (i & ~(size_t)63) + (size_t)__builtin_ctzll(candidates);
			return found < fa->frames ? found : SIZE_MAX;
		}
		i = (i & ~(size_t)63) + 64;
	}
	return SIZE_MAX;
}

paddr_t frame_allocator_take_dirty(struct frame_allocator *fa, size_t max, size_t *count)
{
	*count = 0;
	if (fa->dirty_free == 0 || max == 0)
		return 0;
	size_t start = find_dirty_free(fa, fa->scrub_hint);
	if (start == SIZE_MAX)
		start = find_dirty_free(fa, 0);
	if (start == SIZE_MAX)
		return 0; /* unreachable while dirty_free counts right */
	size_t n = 0;
	while (n < max && start + n < fa->frames && !frame_used(fa, start + n) && frame_dirty(fa, start + n)) {
		take_frame(fa, start + n);
		n++;
	}
	fa->free_count -= n;
	fa->scrubbing += n;
	fa->scrub_hint = start + n;
	*count = n;
	return fa->base + (paddr_t)start * PAGE_SIZE;
}

void frame_allocator_give_back_clean(struct frame_allocator *fa, paddr_t base, size_t count)
{
	size_t first = (size_t)((base - fa->base) / PAGE_SIZE);
	for (size_t i = first; i < first + count; i++) {
		frame_set_dirty(fa, i, false);
		give_frame(fa, i);
	}
	fa->free_count += count;
	fa->scrubbing -= count;
	if (first < fa->search_hint)
		fa->search_hint = first;
}
