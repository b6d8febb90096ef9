/* SPDX-License-Identifier: Apache-2.0 */
/* The bitmap frame allocator: release/reserve clipping, alignment, exhaustion, double free. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "kernel/frame_allocator.h"

#define BASE 0x40000000ULL
#define FRAMES 1024

static struct frame_allocator fa;
static uint64_t bitmap[FRAMES / 64];
static uint64_t dirty[FRAMES / 64];

static int setup(void **state)
{
	(void)state;
	frame_allocator_init(&fa, BASE, FRAMES, bitmap, dirty, true);
	return 0;
}

static void test_starts_full_until_released(void **state)
{
	(void)state;
	assert_int_equal(fa.free_count, 0);
	assert_int_equal(frame_allocator_alloc(&fa, 1, 1), 0);
	frame_allocator_release_range(&fa, BASE, FRAMES * 4096ULL);
	assert_int_equal(fa.free_count, FRAMES);
}

static void test_partial_frames(void **state)
{
	(void)state;
	/* Releasing a range that starts mid-frame frees only the whole frames inside it. */
	frame_allocator_release_range(&fa, BASE + 100, 3 * 4096);
	assert_int_equal(fa.free_count, 2);
	/* Reserving a range that touches a frame at all takes the frame. */
	frame_allocator_reserve_range(&fa, BASE + 4096 + 4095, 2);
	assert_int_equal(fa.free_count, 0);
}

static void test_clipping_outside_window(void **state)
{
	(void)state;
	frame_allocator_release_range(&fa, BASE - 8 * 4096, 16 * 4096);
	assert_int_equal(fa.free_count, 8);
	frame_allocator_release_range(&fa, BASE + FRAMES * 4096ULL, 4096);
	assert_int_equal(fa.free_count, 8);
}

static void test_alloc_and_alignment(void **state)
{
	(void)state;
	frame_allocator_release_range(&fa, BASE, FRAMES * 4096ULL);
	frame_allocator_reserve_range(&fa, BASE, 4096); /* frame 0 used */
	uint64_t one = frame_allocator_alloc(&fa, 1, 1);
	assert_int_equal(one, BASE + 4096);
	uint64_t aligned = frame_allocator_alloc(&fa, 4, 512); /* 2 MiB aligned */
	assert_int_equal(aligned, BASE + 512 * 4096);
	uint64_t run = frame_allocator_alloc(&fa, 10, 1);
	assert_int_equal(run, BASE + 2 * 4096);
	assert_int_equal(fa.free_count, FRAMES - 1 - 1 - 4 - 10);
	assert_int_equal(frame_allocator_alloc(&fa, 3, 3), 0); /* alignment not a power of two */
}

static void test_exhaustion_and_reuse(void **state)
{
	(void)state;
	frame_allocator_release_range(&fa, BASE, 16 * 4096);
	uint64_t all = frame_allocator_alloc(&fa, 16, 1);
	assert_int_equal(all, BASE);
	assert_int_equal(frame_allocator_alloc(&fa, 1, 1), 0);
	assert_int_equal(frame_allocator_free(&fa, BASE + 4 * 4096, 2), 0);
	assert_int_equal(frame_allocator_alloc(&fa, 2, 1), BASE + 4 * 4096);
}

static void test_bad_free(void **state)
{
	(void)state;
	frame_allocator_release_range(&fa, BASE, 8 * 4096);
	uint64_t pa = frame_allocator_alloc(&fa, 2, 1);
	assert_int_equal(frame_allocator_free(&fa, pa, 2), 0);
	assert_int_equal(frame_allocator_free(&fa, pa, 2), -22); /* double free */
	assert_int_equal(frame_allocator_free(&fa, BASE - 4096, 1), -22);
	assert_int_equal(frame_allocator_free(&fa, BASE + 1, 1), -22);
	assert_int_equal(frame_allocator_free(&fa, BASE + (FRAMES - 1) * 4096ULL, 2), -22);
	assert_int_equal(fa.free_count, 8);
}

static void test_claim(void **state)
{
	(void)state;
	frame_allocator_release_range(&fa, BASE, 64 * 4096);
	assert_int_equal(frame_allocator_claim(&fa, BASE + 8 * 4096, 8), 0);
	assert_int_equal(fa.free_count, 56);
	/* Overlapping a claimed range, outside the window or not RAM: refused, nothing changes. */
	assert_int_equal(frame_allocator_claim(&fa, BASE + 12 * 4096, 8), -16);
	assert_int_equal(frame_allocator_claim(&fa, BASE + 60 * 4096, 8), -16);
	assert_int_equal(frame_allocator_claim(&fa, BASE - 4096, 1), -16);
	assert_int_equal(fa.free_count, 56);
	assert_int_equal(frame_allocator_claim(&fa, BASE + 16 * 4096, 8), 0);
}

struct runs {
	uint64_t base[8];
	size_t count[8];
	unsigned n;
};

static void record(uint64_t base, size_t count, void *ctx)
{
	struct runs *r = ctx;
	r->base[r->n] = base;
	r->count[r->n] = count;
	r->n++;
}

static void test_dirty_tracking(void **state)
{
	(void)state;
	frame_allocator_release_range(&fa, BASE, 64 * 4096);
	struct runs r = { .n = 0 };
	/* Never handed out: nothing to clear. */
	uint64_t a = frame_allocator_alloc_clean(&fa, 16, 1, record, &r);
	assert_int_equal(a, BASE);
	assert_int_equal(r.n, 0);
	/* Frames 4-7 come back: a later allocation over 0-31 must clear exactly those. */
	assert_int_equal(frame_allocator_free(&fa, BASE + 4 * 4096, 4), 0);
	assert_int_equal(frame_allocator_free(&fa, BASE, 4), 0);
	assert_int_equal(frame_allocator_free(&fa, BASE + 8 * 4096, 8), 0);
	uint64_t b = frame_allocator_alloc_clean(&fa, 32, 1, record, &r);
	assert_int_equal(b, BASE);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.base[0], BASE);
	assert_int_equal(r.count[0], 16);
	/* Now all 32 are dirty: freed and taken again, one run of 32. */
	assert_int_equal(frame_allocator_free(&fa, BASE, 32), 0);
	r.n = 0;
	assert_int_equal(frame_allocator_alloc_clean(&fa, 40, 1, record, &r), BASE);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.count[0], 32);
}

/* RAM not known to be zero at start (a warm reset): the first allocation clears all it takes. */
static void test_ram_of_unknown_contents_is_cleared_at_first_use(void **state)
{
	(void)state;
	frame_allocator_init(&fa, BASE, FRAMES, bitmap, dirty, false);
	frame_allocator_release_range(&fa, BASE, 64 * 4096);
	struct runs r = { .n = 0 };
	assert_int_equal(frame_allocator_alloc_clean(&fa, 16, 1, record, &r), BASE);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.base[0], BASE);
	assert_int_equal(r.count[0], 16);
}

/* The scrubber's side: dirty free frames are taken lowest first, in runs of at most max, held
 * from allocation while they are cleared, and come back clean, so that allocating them then
 * clears nothing. */
static void test_background_scrub(void **state)
{
	(void)state;
	frame_allocator_init(&fa, BASE, FRAMES, bitmap, dirty, false);
	frame_allocator_release_range(&fa, BASE, 64 * 4096);
	assert_int_equal(fa.dirty_free, 64);
	frame_allocator_reserve_range(&fa, BASE + 2 * 4096, 4096); /* frame 2 used: runs stop at it */
	assert_int_equal(fa.dirty_free, 63);
	size_t n;
	assert_int_equal(frame_allocator_take_dirty(&fa, 8, &n), BASE);
	assert_int_equal(n, 2);
	assert_int_equal(fa.scrubbing, 2);
	assert_int_equal(fa.free_count, 61);
	/* Held frames are not handed out. */
	assert_int_equal(frame_allocator_alloc(&fa, 1, 1), BASE + 3 * 4096);
	frame_allocator_give_back_clean(&fa, BASE, 2);
	assert_int_equal(fa.scrubbing, 0);
	assert_int_equal(fa.free_count, 62);
	assert_int_equal(fa.dirty_free, 60);
	uint64_t at = frame_allocator_take_dirty(&fa, 8, &n);
	assert_int_equal(at, BASE + 4 * 4096);
	assert_int_equal(n, 8);
	frame_allocator_give_back_clean(&fa, at, n);
	/* Frames 0, 1 and 4-11 are clean now: allocating 0-1 clears nothing, 0-11 only frame 3
	 * (handed out above) and nothing of 4-11. */
	struct runs r = { .n = 0 };
	assert_int_equal(frame_allocator_alloc_clean(&fa, 2, 1, record, &r), BASE);
	assert_int_equal(r.n, 0);
	assert_int_equal(frame_allocator_free(&fa, BASE + 3 * 4096, 1), 0);
	assert_int_equal(frame_allocator_alloc_clean(&fa, 9, 1, record, &r), BASE + 3 * 4096);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.base[0], BASE + 3 * 4096);
	assert_int_equal(r.count[0], 1);
	/* Freed frames are dirty again, and the search goes back to find them. */
	size_t before = fa.dirty_free;
	assert_int_equal(frame_allocator_free(&fa, BASE, 2), 0);
	assert_int_equal(fa.dirty_free, before + 2);
	assert_int_equal(frame_allocator_take_dirty(&fa, 8, &n), BASE);
	assert_int_equal(n, 2);
	frame_allocator_give_back_clean(&fa, BASE, 2);
	/* Drain: every dirty free frame comes back clean, then there is nothing to take. */
	for (uint64_t got; (got = frame_allocator_take_dirty(&fa, 5, &n)) != 0;) {
		assert_true(n >= 1 && n <= 5);
		frame_allocator_give_back_clean(&fa, got, n);
	}
	assert_int_equal(n, 0);
	assert_int_equal(fa.dirty_free, 0);
	assert_int_equal(fa.scrubbing, 0);
	assert_int_equal(fa.free_count, 64 - 1 - 9);
}

/* Claimed frames (GPA = HPA guest RAM) are dirty when they come back. */
static void test_claimed_frames_come_back_dirty(void **state)
{
	(void)state;
	frame_allocator_release_range(&fa, BASE, 16 * 4096);
	assert_int_equal(fa.dirty_free, 0); /* RAM known to be zero */
	assert_int_equal(frame_allocator_claim(&fa, BASE + 4 * 4096, 4), 0);
	assert_int_equal(frame_allocator_free(&fa, BASE + 4 * 4096, 4), 0);
	assert_int_equal(fa.dirty_free, 4);
	struct runs r = { .n = 0 };
	assert_int_equal(frame_allocator_alloc_clean(&fa, 16, 1, record, &r), BASE);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.base[0], BASE + 4 * 4096);
	assert_int_equal(r.count[0], 4);
}

/* Release and reserve work a word of frames at a time: against a frame-at-a-time model, over
 * ranges that start and end inside words, span several, and overlap what is already free or used,
 * with dirty frames among them. */
static void test_ranges_match_a_frame_by_frame_model(void **state)
{
	(void)state;
	static uint64_t b2[FRAMES / 64], d2[FRAMES / 64];
	frame_allocator_init(&fa, BASE, FRAMES, b2, d2, false);
	bool used[FRAMES];
	for (unsigned i = 0; i < FRAMES; i++)
		used[i] = true;
	unsigned seed = 12345;
	for (unsigned round = 0; round < 2000; round++) {
		seed = seed * 1103515245u + 12345u;
		unsigned first = (seed >> 8) % FRAMES;
		seed = seed * 1103515245u + 12345u;
		unsigned count = 1 + (seed >> 8) % 200;
		unsigned end = first + count > FRAMES ? FRAMES : first + count;
		bool release = round % 3 != 2;
		if (release)
			frame_allocator_release_range(&fa, BASE + first * 4096ULL, (end - first) * 4096ULL);
		else
			frame_allocator_reserve_range(&fa, BASE + first * 4096ULL, (end - first) * 4096ULL);
		for (unsigned i = first; i < end; i++)
			used[i] = !release;
		size_t free_frames = 0;
		for (unsigned i = 0; i < FRAMES; i++) {
			assert_int_equal((b2[i / 64] >> (i % 64)) & 1, used[i]);
			free_frames += !used[i];
		}
		/* Every frame is dirty (RAM of unknown contents): all free ones are the scrubber's. */
		assert_int_equal(fa.free_count, free_frames);
		assert_int_equal(fa.dirty_free, free_frames);
	}
}

/* What a frame-at-a-time model of an allocation says: the frames handed to the clearing callback,
 * in order and as maximal runs of dirty frames. */
struct model_runs {
	unsigned first[FRAMES], count[FRAMES], n;
};

static void record_model(uint64_t base, size_t count, void *ctx)
{
	struct model_runs *r = ctx;
	r->first[r->n] = (unsigned)((base - BASE) / 4096);
	r->count[r->n] = (unsigned)count;
	r->n++;
}

/* Allocation takes a word of frames at a time: against a model, over allocations that start and
 * end inside words and span several, of frames freed dirty and scrubbed clean in between. */
static void test_alloc_matches_a_frame_by_frame_model(void **state)
{
	(void)state;
	static uint64_t b2[FRAMES / 64], d2[FRAMES / 64];
	frame_allocator_init(&fa, BASE, FRAMES, b2, d2, true);
	frame_allocator_release_range(&fa, BASE, FRAMES * 4096ULL);
	bool used[FRAMES] = { false }, was_dirty[FRAMES] = { false };
	unsigned seed = 777, allocated = 0, cleared_runs = 0;
	for (unsigned round = 0; round < 3000; round++) {
		seed = seed * 1103515245u + 12345u;
		unsigned count = 1 + (seed >> 8) % 300;
		unsigned align = 1u << ((seed >> 20) % 4);
		for (unsigned i = 0; i < FRAMES; i++)
			was_dirty[i] = (d2[i / 64] >> (i % 64)) & 1;
		struct model_runs got = { .n = 0 };
		uint64_t at = frame_allocator_alloc_clean(&fa, count, align, record_model, &got);
		if (at) {
			unsigned first = (unsigned)((at - BASE) / 4096);
			assert_int_equal(first % align, 0);
			struct model_runs want = { .n = 0 };
			for (unsigned i = first; i < first + count; i++) {
				assert_false(used[i]);
				used[i] = true;
				if (!was_dirty[i])
					continue;
				if (want.n && want.first[want.n - 1] + want.count[want.n - 1] == i)
					want.count[want.n - 1]++;
				else
					want.first[want.n] = i, want.count[want.n++] = 1;
			}
			allocated++;
			cleared_runs += got.n;
			assert_int_equal(got.n, want.n);
			for (unsigned k = 0; k < want.n; k++) {
				assert_int_equal(got.first[k], want.first[k]);
				assert_int_equal(got.count[k], want.count[k]);
			}
		}
		/* Now and then a range comes back (dirty), and some of the free frames are scrubbed. */
		seed = seed * 1103515245u + 12345u;
		unsigned from = (seed >> 8) % FRAMES, n = 0;
		while (from + n < FRAMES && used[from + n] && n < 200)
			n++;
		if (n && round % 2) {
			assert_int_equal(frame_allocator_free(&fa, BASE + from * 4096ULL, n), 0);
			for (unsigned i = from; i < from + n; i++)
				used[i] = false;
		}
		size_t taken;
		uint64_t scrub = round % 4 ? 0 : frame_allocator_take_dirty(&fa, 1 + (seed >> 20) % 40, &taken);
		if (scrub)
			frame_allocator_give_back_clean(&fa, scrub, taken);
		size_t free_frames = 0, dirty_free = 0;
		for (unsigned i = 0; i < FRAMES; i++) {
			assert_int_equal((b2[i / 64] >> (i % 64)) & 1, used[i]);
			free_frames += !used[i];
			dirty_free += !used[i] && ((d2[i / 64] >> (i % 64)) & 1);
		}
		assert_int_equal(fa.free_count, free_frames);
		assert_int_equal(fa.dirty_free, dirty_free);
	}
	/* The rounds did what they are for: allocations, and clearing runs among them (417 and 144). */
	assert_true(allocated > 300 && cleared_runs > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_starts_full_until_released, setup),
		cmocka_unit_test_setup(test_partial_frames, setup),
		cmocka_unit_test_setup(test_clipping_outside_window, setup),
		cmocka_unit_test_setup(test_alloc_and_alignment, setup),
		cmocka_unit_test_setup(test_exhaustion_and_reuse, setup),
		cmocka_unit_test_setup(test_bad_free, setup),
		cmocka_unit_test_setup(test_claim, setup),
		cmocka_unit_test_setup(test_dirty_tracking, setup),
		cmocka_unit_test_setup(test_ram_of_unknown_contents_is_cleared_at_first_use, setup),
		cmocka_unit_test_setup(test_background_scrub, setup),
		cmocka_unit_test_setup(test_claimed_frames_come_back_dirty, setup),
		cmocka_unit_test_setup(test_ranges_match_a_frame_by_frame_model, setup),
		cmocka_unit_test_setup(test_alloc_matches_a_frame_by_frame_model, setup),
	};
	return cmocka_run_group_tests_name("frame_allocator", tests, NULL, NULL);
}
