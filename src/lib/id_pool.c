/* SPDX-License-Identifier: Apache-2.0 */
/* The id pool (lib/id_pool.h): a linear scan of a small bitmap. */
#include "lib/id_pool.h"
#include "lib/errno.h"

int id_pool_alloc(struct id_pool *pool)
{
	for (unsigned id = 1; id < pool->size; id++) {
		uint64_t bit = 1ULL << (id % 64);
		if (!(pool->map[id / 64] & bit)) {
			pool->map[id / 64] |= bit;
			return (int)id;
		}
	}
	return -ENOSPC;
}

void id_pool_free(struct id_pool *pool, unsigned id)
{
	if (id < pool->size)
		pool->map[id / 64] &= ~(1ULL << (id % 64));
}
