/* SPDX-License-Identifier: Apache-2.0 */
/* The heap: alignment, splitting, coalescing, exhaustion, bad frees, and a randomized soak that
 * checks no two live blocks overlap and everything comes back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/heap_allocator.h"

#define ARENA_SIZE (256 * 1024)
static _Alignas(64) unsigned char arena[ARENA_SIZE];
static struct heap_allocator heap;

static int setup(void **state)
{
	(void)state;
	heap_allocator_init(&heap);
	heap_allocator_add_region(&heap, arena + 3, ARENA_SIZE - 3); /* unaligned on purpose */
	return 0;
}

static void test_alignment(void **state)
{
	(void)state;
	for (size_t align = 16; align <= 4096; align <<= 1) {
		void *p = heap_allocator_alloc(&heap, 24, align);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % align, 0);
		memset(p, 0xab, 24);
	}
	assert_null(heap_allocator_alloc(&heap, 16, 48)); /* not a power of two */
	assert_null(heap_allocator_alloc(&heap, 0, 16));
}

static void test_free_restores_everything(void **state)
{
	(void)state;
	size_t before = heap.bytes_free;
	void *a = heap_allocator_alloc(&heap, 100, 16);
	void *b = heap_allocator_alloc(&heap, 5000, 256);
	void *c = heap_allocator_alloc(&heap, 1, 16);
	assert_true(heap.bytes_free < before);
	assert_int_equal(heap_allocator_free(&heap, b), 0);
	assert_int_equal(heap_allocator_free(&heap, a), 0);
	assert_int_equal(heap_allocator_free(&heap, c), 0);
	assert_int_equal(heap.bytes_free, before);
	/* Coalesced back into one block: the whole arena fits one big allocation again. */
	assert_non_null(heap_allocator_alloc(&heap, ARENA_SIZE - 4096, 16));
}

static void test_exhaustion(void **state)
{
	(void)state;
	assert_null(heap_allocator_alloc(&heap, ARENA_SIZE, 16));
	int count = 0;
	while (heap_allocator_alloc(&heap, 1000, 16))
		count++;
	assert_true(count > 200);
	assert_null(heap_allocator_alloc(&heap, 1000, 16));
}

static void test_bad_free(void **state)
{
	(void)state;
	void *p = heap_allocator_alloc(&heap, 64, 16);
	assert_int_equal(heap_allocator_free(&heap, p), 0);
	assert_int_equal(heap_allocator_free(&heap, p), -22);
	assert_int_equal(heap_allocator_free(&heap, NULL), 0);
	unsigned char junk[64] = { 0 };
	assert_int_equal(heap_allocator_free(&heap, junk + 48), -22);
}

static void test_random_soak(void **state)
{
	(void)state;
	enum { SLOTS = 64 };
	unsigned char *live[SLOTS] = { 0 };
	size_t sizes[SLOTS] = { 0 };
	size_t before = heap.bytes_free;
	srand(12345);
	for (int step = 0; step < 20000; step++) {
		int i = rand() % SLOTS;
		if (live[i]) {
			for (size_t k = 0; k < sizes[i]; k++)
				assert_int_equal(live[i][k], (unsigned char)i);
			assert_int_equal(heap_allocator_free(&heap, live[i]), 0);
			live[i] = NULL;
		} else {
			sizes[i] = (size_t)(rand() % 3000) + 1;
			live[i] = heap_allocator_alloc(&heap, sizes[i], (size_t)16 << (rand() % 5));
			if (live[i])
				memset(live[i], i, sizes[i]);
		}
	}
	for (int i = 0; i < SLOTS; i++)
		if (live[i])
			assert_int_equal(heap_allocator_free(&heap, live[i]), 0);
	assert_int_equal(heap.bytes_free, before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_alignment, setup),
		cmocka_unit_test_setup(test_free_restores_everything, setup),
		cmocka_unit_test_setup(test_exhaustion, setup),
		cmocka_unit_test_setup(test_bad_free, setup),
		cmocka_unit_test_setup(test_random_soak, setup),
	};
	return cmocka_run_group_tests_name("heap_allocator", tests, NULL, NULL);
}
