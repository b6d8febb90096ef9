/* SPDX-License-Identifier: Apache-2.0 */
/* A pool of small ids (VMIDs, ASIDs): a bitmap the caller owns, one bit per id, set while in use.
 * Id 0 is never handed out (the host's or the shared one). Not locked: the caller serialises. */
#ifndef LIB_ID_POOL_H
#define LIB_ID_POOL_H

#include "lib/types.h"

struct id_pool {
	uint64_t *map;  /* ID_POOL_WORDS(size) words, zero when no id is in use */
	unsigned size;  /* ids 1 .. size - 1 */
};

#define ID_POOL_WORDS(size) (((size) + 63) / 64)

/* The lowest free id (>= 1), now in use; -ENOSPC when none is free. */
__must_check int id_pool_alloc(struct id_pool *pool);
/* Returns an id to the pool; 0 and ids outside it are ignored. */
void id_pool_free(struct id_pool *pool, unsigned id);

#endif
