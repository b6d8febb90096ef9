/* SPDX-License-Identifier: Apache-2.0 */
/* Physical memory management (see kernel/mm.h): one frame allocator over the span of all RAM
 * regions, holes and reserved ranges marked used, and a heap that grows by whole frames. */
#include "kernel/mm.h"
#include "arch/cpu.h"
#include "kernel/app.h"
#include "kernel/frame_allocator.h"
#include "kernel/heap_allocator.h"
#include "kernel/spinlock.h"
#include "kernel/log.h"
#include "kernel/timer.h"
#include "arch/timer.h"
#include "kernel/panic.h"
#include "lib/errno.h"
#include "lib/string.h"

#define HEAP_INITIAL_BYTES MiB(4)
#define HEAP_GROW_MIN_BYTES MiB(1)

/* The idle loop's scrubber clears 32 KiB at a time, with interrupts masked from taking the frames
 * to giving them back: a few microseconds on a board is all it can delay an interrupt, and frames
 * are never held out of the allocator while anything else runs on that CPU (mm_scrub_unit). */
#define SCRUB_UNIT_FRAMES 8

static struct frame_allocator frames;
static struct spinlock frames_lock = SPINLOCK_INIT;
static bool scrub_enabled = true;
static struct mm_scrub_stats scrub_stats;
/* One CPU scrubs at a time: clearing memory is bound by its bandwidth, not by CPUs, and the other
 * idle CPUs may sleep. */
static bool scrubber_busy;
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
	 * -no-reboot) it still holds the previous system's data, which no VM may see. Only the
	 * boot loader can say otherwise (docs/user-guide.md, "Boot options"). */
	bool ram_zeroed = boot_option("tessera.ram=zeroed");
	scrub_enabled = !boot_option("tessera.scrub=off");
	frame_allocator_init(&frames, lowest, window, phys_to_virt(bitmap), phys_to_virt(bitmap + one_bitmap),
			     ram_zeroed);
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
	log_info("Free memory: %llu MiB in %zu frames (%s); heap %llu KiB",
		 (unsigned long long)(frames.free_count * PAGE_SIZE >> 20), frames.free_count,
		 ram_zeroed ? "zero at power-on, as the boot loader says" :
			      scrub_enabled ? "to be cleared by idle CPUs" : "cleared when handed out",
		 (unsigned long long)(HEAP_INITIAL_BYTES >> 10));
}

/* An allocation can fail only because the scrubbing CPU holds the frames it needs for a moment:
 * one unit, cleared with its interrupts masked (mm_scrub_unit), so it never waits for anything
 * this CPU may hold. Then it waits for that unit and tries again, a bounded number of times. */
#define SCRUB_WAIT_ATTEMPTS 64

/* After an attempt that failed while the scrubber held frames (held): waits for them and says to
 * try again, up to SCRUB_WAIT_ATTEMPTS times. */
static bool retry_after_scrubber(size_t held, unsigned attempt)
{
	if (held == 0 || attempt == SCRUB_WAIT_ATTEMPTS)
		return false;
	while (__atomic_load_n(&frames.scrubbing, __ATOMIC_ACQUIRE) != 0)
		arch_cpu_relax();
	return true;
}

static paddr_t alloc_locked(size_t count, size_t align_frames, frame_range_fn fn, void *ctx)
{
	for (unsigned attempt = 0;; attempt++) {
		unsigned long flags = spin_lock_irqsave(&frames_lock);
		paddr_t pa = frame_allocator_alloc_clean(&frames, count, align_frames, fn, ctx);
		size_t held = frames.scrubbing;
		spin_unlock_irqrestore(&frames_lock, flags);
		if (pa || !retry_after_scrubber(held, attempt))
			return pa;
	}
}

paddr_t frame_alloc(size_t count, size_t align_frames)
{
	return alloc_locked(count, align_frames, NULL, NULL);
}

static void zero_range(paddr_t base, size_t count)
{
	arch_zero_memory(phys_to_virt(base), count * PAGE_SIZE);
}

paddr_t frame_alloc_dirty_runs(size_t count, size_t align_frames, frame_run_fn dirty, void *ctx)
{
	/* The runs are found under the lock (collect_run); the frames are the caller's once it is
	 * released. More runs than dirty_runs holds: all of it may hold data. */
	struct dirty_runs runs = { .count = 0 };
	paddr_t pa = alloc_locked(count, align_frames, collect_run, &runs);
	if (!pa)
		return 0;
	if (runs.overflow)
		dirty(pa, 0, count, ctx);
	else
		for (unsigned i = 0; i < runs.count; i++)
			dirty(pa, (size_t)((runs.run[i].base - pa) / PAGE_SIZE), runs.run[i].count, ctx);
	return pa;
}

void mm_note_cleared(size_t count)
{
	unsigned long flags = spin_lock_irqsave(&frames_lock);
	scrub_stats.cleared_on_demand += count;
	spin_unlock_irqrestore(&frames_lock, flags);
}

static void zero_run(paddr_t base, size_t first, size_t count, void *ctx)
{
	zero_range(base + first * PAGE_SIZE, count);
	*(size_t *)ctx += count;
}

paddr_t frame_alloc_zeroed(size_t count, size_t align_frames)
{
	size_t cleared = 0;
	paddr_t pa = frame_alloc_dirty_runs(count, align_frames, zero_run, &cleared);
	if (pa)
		mm_note_cleared(cleared);
	return pa;
}

bool mm_scrub_pending(void)
{
	return scrub_enabled && __atomic_load_n(&frames.dirty_free, __ATOMIC_RELAXED) != 0 &&
	       !__atomic_load_n(&scrubber_busy, __ATOMIC_RELAXED);
}

static void report_boot_pass(const struct mm_scrub_stats *now)
{
	/* Said once, when the memory found at boot is all clear: until then VMs created clear their
	 * own. Later passes (after a VM stops) show in the shell's stats. */
	static bool reported;
	if (__atomic_exchange_n(&reported, true, __ATOMIC_RELAXED))
		return;
	log_info("Memory scrubbed: %llu MiB cleared by idle CPUs, %llu MiB when handed out, at %llu ms",
		 (unsigned long long)(now->cleared_in_background * PAGE_SIZE >> 20),
		 (unsigned long long)(now->cleared_on_demand * PAGE_SIZE >> 20),
		 (unsigned long long)(timer_ticks_to_ns(arch_timer_now()) / 1000000));
}

bool mm_scrub_unit(void)
{
	if (__atomic_exchange_n(&scrubber_busy, true, __ATOMIC_ACQUIRE))
		return false; /* another CPU scrubs */
	unsigned long irq = arch_irq_save();
	size_t count;
	spin_lock(&frames_lock);
	paddr_t base = frame_allocator_take_dirty(&frames, SCRUB_UNIT_FRAMES, &count);
	spin_unlock(&frames_lock);
	if (count)
		zero_range(base, count);
	spin_lock(&frames_lock);
	if (count)
		frame_allocator_give_back_clean(&frames, base, count);
	bool all_clean = frames.dirty_free == 0 && frames.scrubbing == 0;
	scrub_stats.cleared_in_background += count;
	struct mm_scrub_stats now = scrub_stats;
	spin_unlock(&frames_lock);
	arch_irq_restore(irq);
	__atomic_store_n(&scrubber_busy, false, __ATOMIC_RELEASE);
	if (all_clean && count)
		report_boot_pass(&now);
	return count != 0;
}

void mm_scrub_stats(struct mm_scrub_stats *out)
{
	unsigned long flags = spin_lock_irqsave(&frames_lock);
	out->cleared_in_background = scrub_stats.cleared_in_background;
	out->cleared_on_demand = scrub_stats.cleared_on_demand;
	out->dirty_free = frames.dirty_free + frames.scrubbing;
	spin_unlock_irqrestore(&frames_lock, flags);
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
	/* A range the scrubber holds a unit of is free all the same: wait for it, as alloc_locked. */
	for (unsigned attempt = 0;; attempt++) {
		unsigned long flags = spin_lock_irqsave(&frames_lock);
		int err = frame_allocator_claim(&frames, base, count);
		size_t held = frames.scrubbing;
		spin_unlock_irqrestore(&frames_lock, flags);
		if (err == 0 || !retry_after_scrubber(held, attempt))
			return err;
	}
}

size_t frames_free(void)
{
	/* Frames being scrubbed are free for all a caller can tell: it gets them when it asks. */
	unsigned long flags = spin_lock_irqsave(&frames_lock);
	size_t free = frames.free_count + frames.scrubbing;
	spin_unlock_irqrestore(&frames_lock, flags);
	return free;
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
