/* SPDX-License-Identifier: Apache-2.0 */
/* Physical memory: the frame allocator (4 KiB frames, contiguous runs) and the kernel heap.
 * The pure allocators live in frame_allocator.h and heap_allocator.h; these are the locked,
 * global entry points the rest of the hypervisor uses. */
#ifndef KERNEL_MM_H
#define KERNEL_MM_H

#include "lib/types.h"
#include "kernel/platform.h"

/* Sets up the frame allocator over boot_info.ram minus the image and reserved regions, prints the
 * map, and gives the heap its first block. Panics when it cannot (no RAM, a reserved region the
 * platform could not record, no room for its bitmaps or the heap): nothing runs without them. */
void mm_init(const struct boot_info *info);

/* count contiguous frames aligned to align_frames (a power of two); 0 on failure. */
__must_check paddr_t frame_alloc(size_t count, size_t align_frames);
void frame_free(paddr_t base, size_t count);
/* Like frame_alloc, but the frames read as zero: each is cleared unless it was cleared before and
 * not handed out since (RAM found at boot counts as holding data: mm.c). */
__must_check paddr_t frame_alloc_zeroed(size_t count, size_t align_frames);
/* Like frame_alloc, for memory its caller clears itself, later and perhaps in part (a VM's RAM,
 * cleared where the guest first touches it: vmm/vm_memory.c): before it returns, dirty(base,
 * first, count, ctx) is called for each run of the frames that may hold data, as frame offsets
 * from the allocation's base (the others are clean: never used, or scrubbed by an idle CPU). What
 * the caller clears it reports with mm_note_cleared. */
typedef void (*frame_run_fn)(paddr_t base, size_t first, size_t count, void *ctx);
__must_check paddr_t frame_alloc_dirty_runs(size_t count, size_t align_frames, frame_run_fn dirty, void *ctx);
/* Counts frames cleared by their new owner as cleared when handed out (mm_scrub_stats). */
void mm_note_cleared(size_t count);
/* Takes a specific free range (for guest memory mapped GPA = HPA); -EBUSY if any frame of it is
 * in use or not RAM. */
__must_check int frame_claim(paddr_t base, size_t count);
size_t frames_free(void);
size_t frames_total(void);

/* Background scrubbing: an idle CPU clears free frames that may hold data (an earlier VM's, or
 * anything at power-on), so that allocating them later (a VM's creation) has nothing left to
 * clear. mm_scrub_pending: there is such memory, scrubbing is on ("tessera.scrub=off" turns it
 * off) and no other CPU is at it. mm_scrub_unit: clears 32 KiB of it with interrupts masked;
 * false when there was nothing to do. */
bool mm_scrub_pending(void);
bool mm_scrub_unit(void);
struct mm_scrub_stats {
	uint64_t cleared_in_background; /* frames cleared by mm_scrub_unit since boot */
	uint64_t cleared_on_demand;     /* frames cleared when handed out (frame_alloc_zeroed, mm_note_cleared) */
	uint64_t dirty_free;            /* free frames still to be cleared */
};
void mm_scrub_stats(struct mm_scrub_stats *out);

__must_check void *kmalloc(size_t size);
__must_check void *kzalloc(size_t size);
__must_check void *kmalloc_aligned(size_t size, size_t align);
void kfree(void *ptr);
/* Heap bytes handed out and not freed (headers included): with frames_free(), what shows a leak. */
size_t heap_bytes_used(void);

/* The hypervisor maps memory identically: a physical address is its own virtual address. */
static inline void *phys_to_virt(paddr_t pa) { return (void *)(uintptr_t)pa; }
static inline paddr_t virt_to_phys(const void *va) { return (paddr_t)(uintptr_t)va; }

#endif
