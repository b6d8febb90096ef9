/* SPDX-License-Identifier: Apache-2.0 */
/* A first-fit heap with boundary headers and coalescing, over regions the caller donates.
 * Pure data structure; host-tested in tests/unit/test_heap_allocator.c. */
#ifndef KERNEL_HEAP_ALLOCATOR_H
#define KERNEL_HEAP_ALLOCATOR_H

#include "lib/list.h"

struct heap_allocator {
	struct list_node free_blocks; /* sorted by address, so neighbours coalesce */
	size_t bytes_free;
	size_t bytes_total;
};

void heap_allocator_init(struct heap_allocator *heap);
/* Adds a region of memory to the heap (at least 64 bytes, any alignment). */
void heap_allocator_add_region(struct heap_allocator *heap, void *base, size_t size);
/* align is a power of two, at least 16; returns NULL when no block fits. */
__must_check void *heap_allocator_alloc(struct heap_allocator *heap, size_t size, size_t align);
/* Returns -EINVAL for a pointer the heap did not hand out, or one already freed. */
__must_check int heap_allocator_free(struct heap_allocator *heap, void *ptr);

#endif
