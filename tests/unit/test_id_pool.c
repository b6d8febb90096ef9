/* SPDX-License-Identifier: Apache-2.0 */
/* The id pool behind VMIDs and ASIDs: lowest free id first, never 0, -ENOSPC when full, reuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/errno.h"
#include "lib/id_pool.h"

static void test_lowest_first_and_full(void **state)
{
	(void)state;
	uint64_t map[ID_POOL_WORDS(130)] = { 0 };
	struct id_pool pool = { map, 130 };
	for (int id = 1; id < 130; id++)
		assert_int_equal(id_pool_alloc(&pool), id);
	assert_int_equal(id_pool_alloc(&pool), -ENOSPC);
	/* Ids across a word boundary come back, lowest first. */
	id_pool_free(&pool, 64);
	id_pool_free(&pool, 3);
	id_pool_free(&pool, 129);
	assert_int_equal(id_pool_alloc(&pool), 3);
	assert_int_equal(id_pool_alloc(&pool), 64);
	assert_int_equal(id_pool_alloc(&pool), 129);
	assert_int_equal(id_pool_alloc(&pool), -ENOSPC);
}

static void test_edges(void **state)
{
	(void)state;
	uint64_t map[1] = { 0 };
	struct id_pool none = { map, 1 }; /* only id 0, which is never handed out */
	assert_int_equal(id_pool_alloc(&none), -ENOSPC);
	struct id_pool two = { map, 2 };
	assert_int_equal(id_pool_alloc(&two), 1);
	assert_int_equal(id_pool_alloc(&two), -ENOSPC);
	id_pool_free(&two, 0);   /* ignored */
	id_pool_free(&two, 500); /* outside the pool: ignored, nothing written */
	assert_int_equal(id_pool_alloc(&two), -ENOSPC);
	id_pool_free(&two, 1);
	id_pool_free(&two, 1); /* twice: still just free */
	assert_int_equal(id_pool_alloc(&two), 1);
	assert_int_equal(map[0], 0x2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lowest_first_and_full),
		cmocka_unit_test(test_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
