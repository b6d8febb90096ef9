/* SPDX-License-Identifier: Apache-2.0 */
/* First-fit heap (see kernel/heap_allocator.h). Every block, used or free, starts with a header
 * holding its total size; free blocks sit on an address-ordered list so a freed block merges with
 * the neighbours it touches. Blocks start 16-aligned and are multiples of 16 bytes. */
#include "kernel/heap_allocator.h"
#include "lib/errno.h"

#define HEAP_MAGIC 0x68656170u /* "heap" */
#define GRANULE 16

struct block {
	size_t size;     /* total, including this header */
	uint32_t magic;
	uint32_t free;
	struct list_node node; /* on the free list while free */
};

#define HEADER_SIZE ALIGN_UP(sizeof(struct block), (size_t)GRANULE)
#define MIN_BLOCK (HEADER_SIZE + GRANULE)

void heap_allocator_init(struct heap_allocator *heap)
{
	list_init(&heap->free_blocks);
	heap->bytes_free = 0;
	heap->bytes_total = 0;
}

static void *payload(struct block *b)
{
	return (char *)b + HEADER_SIZE;
}

/* Puts a free block on the list in address order and merges it with touching neighbours. */
static void insert_free(struct heap_allocator *heap, struct block *b)
{
	b->free = 1;
	b->magic = HEAP_MAGIC;
	struct list_node *pos = &heap->free_blocks;
	list_for_each(n, &heap->free_blocks) {
		if ((uintptr_t)list_entry(n, struct block, node) > (uintptr_t)b) {
			pos = n;
			break;
		}
	}
	list_insert_before(pos, &b->node);

	if (b->node.next != &heap->free_blocks) {
		struct block *next = list_entry(b->node.next, struct block, node);
		if ((char *)b + b->size == (char *)next) {
			b->size += next->size;
			next->magic = 0;
			list_remove(&next->node);
		}
	}
	if (b->node.prev != &heap->free_blocks) {
		struct block *prev = list_entry(b->node.prev, struct block, node);
		if ((char *)prev + prev->size == (char *)b) {
			prev->size += b->size;
			b->magic = 0;
			list_remove(&b->node);
		}
	}
}

void heap_allocator_add_region(struct heap_allocator *heap, void *base, size_t size)
{
	uintptr_t start = ALIGN_UP((uintptr_t)base, (uintptr_t)GRANULE);
	uintptr_t end = ALIGN_DOWN((uintptr_t)base + size, (uintptr_t)GRANULE);
	if (end <= start || end - start < MIN_BLOCK)
		return;
	struct block *b = (struct block *)start;
	b->size = end - start;
	heap->bytes_total += b->size;
	heap->bytes_free += b->size;
	insert_free(heap, b);
}

/* Where an aligned payload could start inside free block b, or 0 if it does not fit. A gap in
 * front of the payload's header must be large enough to stay a free block of its own. */
static uintptr_t fit(struct block *b, size_t need, size_t align)
{
	uintptr_t start = (uintptr_t)b;
	uintptr_t end = start + b->size;
	uintptr_t header = ALIGN_UP(start + HEADER_SIZE, (uintptr_t)align) - HEADER_SIZE;
	if (header != start && header - start < MIN_BLOCK)
		header = ALIGN_UP(start + MIN_BLOCK + HEADER_SIZE, (uintptr_t)align) - HEADER_SIZE;
	if (header + need > end || header + need < header)
		return 0;
	return header;
}

void *heap_allocator_alloc(struct heap_allocator *heap, size_t size, size_t align)
{
	if (size == 0 || size > SIZE_MAX / 2)
		return NULL;
	if (align < GRANULE)
		align = GRANULE;
	if (align & (align - 1))
		return NULL;
	size_t need = HEADER_SIZE + ALIGN_UP(size, (size_t)GRANULE);

	list_for_each(n, &heap->free_blocks) {
		struct block *b = list_entry(n, struct block, node);
		uintptr_t at = fit(b, need, align);
		if (!at)
			continue;
		list_remove(&b->node);
		heap->bytes_free -= b->size;
		uintptr_t block_end = (uintptr_t)b + b->size;

		/* Front gap stays free. */
		if (at != (uintptr_t)b) {
			b->size = at - (uintptr_t)b;
			heap->bytes_free += b->size;
			insert_free(heap, b);
		}
		struct block *used = (struct block *)at;
		used->size = block_end - at;
		/* Tail beyond what is needed goes back when it can stand as a block. */
		if (used->size - need >= MIN_BLOCK) {
			struct block *tail = (struct block *)(at + need);
			tail->size = used->size - need;
			used->size = need;
			heap->bytes_free += tail->size;
			insert_free(heap, tail);
		}
		used->magic = HEAP_MAGIC;
		used->free = 0;
		list_init(&used->node);
		return payload(used);
	}
	return NULL;
}

int heap_allocator_free(struct heap_allocator *heap, void *ptr)
{
	if (!ptr)
		return 0;
	struct block *b = (struct block *)((char *)ptr - HEADER_SIZE);
	/* A bad pointer or a double free is refused rather than corrupting the list. */
	if (b->magic != HEAP_MAGIC || b->free)
		return -EINVAL;
	heap->bytes_free += b->size;
	insert_free(heap, b);
	return 0;
}
