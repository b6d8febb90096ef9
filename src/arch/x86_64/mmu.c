/* SPDX-License-Identifier: Apache-2.0 */
/* The hypervisor's own page tables: an identity map (include/kernel/mm.h) in 4-level long-mode
 * paging (AMD APM vol. 2, 5.3). RAM is write-back; everything else below 4 GiB (PCI holes, IOAPIC,
 * LAPIC, firmware, the legacy VGA window) is uncached device memory (PCD|PWT, default PAT = UC,
 * APM vol. 2, 7.8). Each range uses the largest pages its alignment allows: 1 GiB where the CPU
 * has them (CPUID 8000_0001h EDX[26]), else 2 MiB, and 4 KiB at the edges. Page 0 stays unmapped
 * so a NULL dereference faults. The tables come from frame_alloc(). */
#include "arch_impl/msr.h"
#include "arch_impl/paging.h"
#include "arch_impl/setup.h"
#include "arch/boot.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/string.h"

#define CPUID_80000001_EDX_PAGE1GB (1u << 26)
#define LOW_4GIB GiB(4)
#define ATTR_NORMAL (PTE_PRESENT | PTE_WRITABLE)
#define ATTR_DEVICE (PTE_PRESENT | PTE_WRITABLE | PTE_CACHE_DISABLE | PTE_WRITE_THROUGH)
/* The PAT bit of a large page (bit 12) is not set anywhere, so PCD/PWT keep meaning the same in
 * every level. */

static uint64_t *kernel_pml4;
static bool have_1gib_pages;
static struct spinlock mmu_lock = SPINLOCK_INIT;

static uint64_t *table_alloc(void)
{
	paddr_t frame = frame_alloc(1, 1);
	if (!frame)
		return NULL;
	uint64_t *table = phys_to_virt(frame);
	memset(table, 0, PAGE_SIZE);
	return table;
}

/* The table an entry points to, creating it -- or splitting the large page it maps into 512 pages
 * of the next size with the same attributes -- when needed. */
static uint64_t *next_table(uint64_t *entry, uint64_t child_page_size)
{
	if ((*entry & PTE_PRESENT) && !(*entry & PTE_LARGE))
		return phys_to_virt(*entry & PTE_ADDRESS_MASK);
	uint64_t *table = table_alloc();
	if (!table)
		return NULL;
	if (*entry & PTE_PRESENT) {
		uint64_t base = *entry & PTE_ADDRESS_MASK & ~(child_page_size * 512 - 1);
		uint64_t attributes = *entry & (ATTR_DEVICE | PTE_GLOBAL);
		uint64_t large = child_page_size > PAGE_SIZE ? PTE_LARGE : 0;
		for (unsigned i = 0; i < 512; i++)
			table[i] = (base + i * child_page_size) | attributes | large;
	}
	*entry = virt_to_phys(table) | PTE_PRESENT | PTE_WRITABLE;
	return table;
}

/* The entry that maps address with a page of page_size, its tables made as needed. */
static uint64_t *leaf_entry(uint64_t address, uint64_t page_size)
{
	uint64_t *pdpt = next_table(&kernel_pml4[(address >> 39) & 511], GiB(1));
	if (!pdpt)
		return NULL;
	uint64_t *pdpte = &pdpt[(address >> 30) & 511];
	if (page_size == GiB(1))
		return pdpte;
	uint64_t *pd = next_table(pdpte, MiB(2));
	if (!pd)
		return NULL;
	uint64_t *pde = &pd[(address >> 21) & 511];
	if (page_size == MiB(2))
		return pde;
	uint64_t *pt = next_table(pde, PAGE_SIZE);
	return pt ? &pt[(address >> 12) & 511] : NULL;
}

static int map_range(uint64_t start, uint64_t end, uint64_t attributes)
{
	start = ALIGN_DOWN(start, PAGE_SIZE);
	end = ALIGN_UP(end, PAGE_SIZE);
	while (start < end) {
		uint64_t size = PAGE_SIZE;
		if (have_1gib_pages && IS_ALIGNED(start, GiB(1)) && end - start >= GiB(1))
			size = GiB(1);
		else if (IS_ALIGNED(start, MiB(2)) && end - start >= MiB(2))
			size = MiB(2);
		uint64_t *entry = leaf_entry(start, size);
		if (!entry)
			return -ENOMEM;
		/* The pages of this size that follow in the same table, without walking again (the
		 * identity map is some 1 500 pages: a walk each was 150 000 instructions of every
		 * boot). A table ends where a page of the next size up could begin. */
		uint64_t table_end = ALIGN_DOWN(start, size * 512) + size * 512;
		uint64_t large = size > PAGE_SIZE ? PTE_LARGE : 0;
		do {
			*entry++ = start | attributes | large;
			start += size;
		} while (start < table_end && start < end && end - start >= size);
	}
	return 0;
}

static void sort_regions(struct mem_region *r, unsigned count)
{
	for (unsigned i = 1; i < count; i++)
		for (unsigned j = i; j > 0 && r[j].base < r[j - 1].base; j--) {
			struct mem_region t = r[j];
			r[j] = r[j - 1];
			r[j - 1] = t;
		}
}

int arch_mmu_init(const struct boot_info *info)
{
	x86_boot_report(); /* the first arch hook that runs with the log up */

	have_1gib_pages = (cpuid(0x80000001, 0).edx & CPUID_80000001_EDX_PAGE1GB) != 0;
	kernel_pml4 = table_alloc();
	if (!kernel_pml4)
		return -ENOMEM;

	struct mem_region ram[MAX_MEM_REGIONS];
	unsigned count = MIN(info->ram_count, (unsigned)MAX_MEM_REGIONS);
	memcpy(ram, info->ram, count * sizeof(ram[0]));
	sort_regions(ram, count);

	/* Walk the address space upwards: gaps below 4 GiB are devices, RAM is normal memory. */
	uint64_t cursor = PAGE_SIZE;
	int err = 0;
	for (unsigned i = 0; i < count && !err; i++) {
		uint64_t base = MAX(ram[i].base, cursor), end = ram[i].base + ram[i].size;
		if (end <= base)
			continue;
		if (cursor < base && cursor < LOW_4GIB)
			err = map_range(cursor, MIN(base, LOW_4GIB), ATTR_DEVICE);
		if (!err)
			err = map_range(base, end, ATTR_NORMAL);
		cursor = end;
	}
	if (!err && cursor < LOW_4GIB)
		err = map_range(cursor, LOW_4GIB, ATTR_DEVICE);
	if (err) {
		log_error("mmu: out of memory for page tables");
		return err;
	}

	write_cr3(virt_to_phys(kernel_pml4));
	log_info("mmu: identity map of RAM (write-back) and the low 4 GiB (uncached), %s pages",
		 have_1gib_pages ? "1 GiB/2 MiB/4 KiB" : "2 MiB/4 KiB");
	return 0;
}

void arch_mmu_init_secondary(void)
{
	/* The AP trampoline already runs on these tables; loading CR3 again keeps this call the one
	 * place that decides what a secondary uses. */
	write_cr3(virt_to_phys(kernel_pml4));
}

int arch_mmu_map_device(paddr_t base, uint64_t size)
{
	if (size == 0 || base + size < base)
		return -EINVAL;
	unsigned long flags = spin_lock_irqsave(&mmu_lock);
	int err = map_range(base, base + size, ATTR_DEVICE);
	/* Meant for windows arch_mmu_init left unmapped (above 4 GiB): new entries replace
	 * non-present ones, which no TLB caches, so no other CPU needs a shootdown. Below 4 GiB the
	 * window is already uncached and at most a large page is split into identical smaller ones. */
	write_cr3(read_cr3());
	spin_unlock_irqrestore(&mmu_lock, flags);
	return err;
}
