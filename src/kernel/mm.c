/* SPDX-License-Identifier: Apache-2.0 */
/* Physical memory management (see kernel/mm.h): one frame allocator over the span of all RAM
 * regions, holes and reserved ranges marked used, and a heap that grows by whole frames. */
#include "kernel/mm.h"
#include "arch/cpu.h"
#include "kernel/frame_allocator.h"
#include "kernel/heap_allocator.h"
#include "kernel/spinlock.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "lib/errno.h"
#include "lib/string.h"

#define HEAP_INITIAL_BYTES MiB(4)
#define HEAP_GROW_MIN_BYTES MiB(1)

static struct frame_allocator frames;
static struct spinlock frames_lock = SPINLOCK_INIT;
static struct heap_allocator heap;
static struct spinlock heap_lock = SPINLOCK_INIT;
static size_t frames_in_ram;

static bool overlaps(paddr_t a, uint64_t a_size, paddr_t b, uint64_t b_size)
{
	return a < b + b_size && b < a + a_size;
}

/* A page-aligned range of 'size' bytes inside RAM that touches neither the image nor a reserved
 * region: the frame bitmap has to live somewhere before any allocator exists. */
static paddr_t find_boot_range(const struct boot_info *info, uint64_t size)
{
	for (unsigned r = 0; r < info->ram_count; r++) {
		paddr_t at = ALIGN_UP(info->ram[r].base, PAGE_SIZE);
		paddr_t end = info->ram[r].base + info->ram[r].size;
		/* Prefer the memory right after the image when it is in this region. */
		if (info->image_end > at && info->image_end < end)
			at = ALIGN_UP(info->image_end, PAGE_SIZE);
		for (bool moved = true; moved;) {
			moved = false;
			for (unsigned i = 0; i < info->reserved_count; i++) {
				const struct mem_region *res = &info->reserved[i];
				if (overlaps(at, size, res->base, res->size)) {
					at = ALIGN_UP(res->base + res->size, PAGE_SIZE);
					moved = true;
				}
			}
			if (overlaps(at, size, info->image_start, info->image_end - info->image_start)) {
				at = ALIGN_UP(info->image_end, PAGE_SIZE);
				moved = true;
			}
		}
		if (at + size <= end)
			return at;
	}
	return 0;
}

/* Frames of an allocation that held data before, to be cleared outside the lock. */
#define DIRTY_RUNS_MAX 16
struct dirty_runs {
	struct { paddr_t base; size_t count; } run[DIRTY_RUNS_MAX];
	unsigned count;
	bool overflow; /* more runs than fit: clear everything */
};

static void collect_run(paddr_t base, size_t count, void *ctx)
{
	struct dirty_runs *runs = ctx;
	if (runs->count == DIRTY_RUNS_MAX) {
		runs->overflow = true;
		return;
	}
	runs->run[runs->count].base = base;
	runs->run[runs->count].count = count;
	runs->count++;
}

static void print_region(const char *what, paddr_t base, uint64_t size)
{
	log_info("  [0x%012llx, 0x%012llx) %-18s %6llu KiB", (unsigned long long)base,
		 (unsigned long long)(base + size), what, (unsigned long long)(size >> 10));
}

void mm_init(const struct boot_info *info)
{
	if (info->ram_count == 0)
		panic("no RAM described by the platform");
	if (info->reserved_lost)
		panic("%u reserved memory region%s beyond the %u the platform table holds: their memory "
		      "cannot be kept from guests", info->reserved_lost, info->reserved_lost == 1 ? "" : "s",
		      MAX_MEM_REGIONS);
	paddr_t lowest = UINT64_MAX, highest = 0;
	log_info("Physical memory regions:");
	for (unsigned r = 0; r < info->ram_count; r++) {
		const struct mem_region *ram = &info->ram[r];
		lowest = MIN(lowest, ALIGN_DOWN(ram->base, PAGE_SIZE));
		highest = MAX(highest, ram->base + ram->size);
		print_region("RAM", ram->base, ram->size);
	}
	print_region("hypervisor image", info->image_start, info->image_end - info->image_start);
	for (unsigned i = 0; i < info->reserved_count; i++)
		print_region(info->reserved[i].name ? info->reserved[i].name : "reserved",
			     info->reserved[i].base, info->reserved[i].size);

	size_t window = (size_t)((ALIGN_UP(highest, PAGE_SIZE) - lowest) / PAGE_SIZE);
	/* Two bitmaps: used frames, and frames handed out since boot. */
	uint64_t one_bitmap = ALIGN_UP(frame_allocator_bitmap_bytes(window), 8u);
	uint64_t bitmap_bytes = ALIGN_UP(2 * one_bitmap, PAGE_SIZE);
	paddr_t bitmap = find_boot_range(info, bitmap_bytes);
	if (!bitmap)
		panic("no room for the frame bitmaps (%llu bytes)", (unsigned long long)bitmap_bytes);
	/* RAM is not taken to be zero at boot: after a warm reset (a board's, or QEMU's without
	 * -no-reboot) it still holds the previous system's data, which no VM may see. */
	frame_allocator_init(&frames, lowest, window, phys_to_virt(bitmap), phys_to_virt(bitmap + one_bitmap), false);
	for (unsigned r = 0; r < info->ram_count; r++)
		frame_allocator_release_range(&frames, info->ram[r].base, info->ram[r].size);
	frame_allocator_reserve_range(&frames, info->image_start, info->image_end - info->image_start);
	for (unsigned i = 0; i < info->reserved_count; i++)
		frame_allocator_reserve_range(&frames, info->reserved[i].base, info->reserved[i].size);
	frame_allocator_reserve_range(&frames, bitmap, bitmap_bytes);
	/* Frame 0 stays unused so that 0 can mean "no frame". */
	frame_allocator_reserve_range(&frames, 0, PAGE_SIZE);
	print_region("frame bitmap", bitmap, bitmap_bytes);
	frames_in_ram = frames.free_count;

	heap_allocator_init(&heap);
	paddr_t first = frame_alloc(HEAP_INITIAL_BYTES / PAGE_SIZE, 1);
	if (!first)
		panic("no memory for the initial heap");
	heap_allocator_add_region(&heap, phys_to_virt(first), HEAP_INITIAL_BYTES);
	log_info("Free memory: %llu MiB in %zu frames; heap %llu KiB",
		 (unsigned long long)(frames.free_count * PAGE_SIZE >> 20), frames.free_count,
		 (unsigned long long)(HEAP_INITIAL_BYTES >> 10));
}

paddr_t frame_alloc(size_t count, size_t align_frames)
{
	unsigned long flags = spin_lock_irqsave(&frames_lock);
	paddr_t pa = frame_allocator_alloc(&frames, count, align_frames);
	spin_unlock_irqrestore(&frames_lock, flags);
	return pa;
}

static void zero_range(paddr_t base, size_t count, void *ctx)
{
	(void)ctx;
	arch_zero_memory(phys_to_virt(base), count * PAGE_SIZE);
}

paddr_t frame_alloc_zeroed(size_t count, size_t align_frames)
{
	/* The runs to clear are found under the lock; the frames are ours then, so they are cleared
	 * after it is released. */
	struct dirty_runs runs = { .count = 0 };
	unsigned long flags = spin_lock_irqsave(&frames_lock);
	paddr_t pa = frame_allocator_alloc_clean(&frames, count, align_frames, collect_run, &runs);
	spin_unlock_irqrestore(&frames_lock, flags);
	if (!pa)
		return 0;
	if (runs.overflow)
		zero_range(pa, count, NULL);
	else
		for (unsigned i = 0; i < runs.count; i++)
			zero_range(runs.run[i].base, runs.run[i].count, NULL);
	return pa;
}

void frame_free(paddr_t base, size_t count)
{
	unsigned long flags = spin_lock_irqsave(&frames_lock);
	int err = frame_allocator_free(&frames, base, count);
	spin_unlock_irqrestore(&frames_lock, flags);
	if (err)
		panic("frame_free(%#llx, %zu): not allocated", (unsigned long long)base, count);
}

int frame_claim(paddr_t base, size_t count)
{
	unsigned long flags = spin_lock_irqsave(&frames_lock);
	int err = frame_allocator_claim(&frames, base, count);
	spin_unlock_irqrestore(&frames_lock, flags);
	return err;
}

size_t frames_free(void)
{
	return frames.free_count;
}

size_t frames_total(void)
{
	return frames_in_ram;
}

size_t heap_bytes_used(void)
{
	unsigned long flags = spin_lock_irqsave(&heap_lock);
	size_t used = heap.bytes_total - heap.bytes_free;
	spin_unlock_irqrestore(&heap_lock, flags);
	return used;
}

void *kmalloc_aligned(size_t size, size_t align)
{
	unsigned long flags = spin_lock_irqsave(&heap_lock);
	void *p = heap_allocator_alloc(&heap, size, align);
	if (!p) {
		/* Grow by enough whole frames for this request plus its header and alignment slack. */
		size_t bytes = ALIGN_UP(MAX(size + align + 256, (size_t)HEAP_GROW_MIN_BYTES), PAGE_SIZE);
		paddr_t more = frame_alloc(bytes / PAGE_SIZE, 1);
		if (more) {
			heap_allocator_add_region(&heap, phys_to_virt(more), bytes);
			p = heap_allocator_alloc(&heap, size, align);
		}
	}
	spin_unlock_irqrestore(&heap_lock, flags);
	return p;
}

void *kmalloc(size_t size)
{
	return kmalloc_aligned(size, 16);
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *ptr)
{
	unsigned long flags = spin_lock_irqsave(&heap_lock);
	int err = heap_allocator_free(&heap, ptr);
	spin_unlock_irqrestore(&heap_lock, flags);
	if (err)
		panic("kfree(%p): not a live heap block", ptr);
}
