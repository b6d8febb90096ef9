/* SPDX-License-Identifier: Apache-2.0 */
/* The hypervisor's own address space: an Sv39 identity map (privileged spec 20211203, 4.4;
 * PTE format 4.4.1 and 4.3.1) built from the largest pages that fit: 1 GiB, 2 MiB, 4 KiB.
 *  - RAM (boot_info.ram) is read/write/execute;
 *  - the rest of the low 4 GiB, where QEMU virt and most boards put their devices, is
 *    read/write, with memory types left to the platform's PMAs (no Svpbmt);
 *  - the page at address 0 stays unmapped so a NULL dereference faults.
 * Every mapping is global with A and D preset, so hardware that does not update them (4.3.1)
 * never faults. Page-table pages come from frame_alloc(). Secondaries load the same satp.
 * Changes after boot (arch_mmu_map_device) are serialized by mmu_lock and flushed on every
 * hart with SBI RFENCE. */
#include "arch/boot.h"
#include "arch_impl/csr.h"
#include "arch_impl/sbi.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/string.h"

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_PPN_SHIFT 10
#define PTE_LEAF_MASK (PTE_R | PTE_W | PTE_X)

#define PROT_RAM (PTE_R | PTE_W | PTE_X | PTE_G | PTE_A | PTE_D)
#define PROT_DEVICE (PTE_R | PTE_W | PTE_G | PTE_A | PTE_D)

#define SV39_LEVELS 3
#define SV39_VA_LIMIT (1ULL << 38) /* identity mapping needs a positive sign-extended VA */
#define LOW_DEVICE_LIMIT GiB(4)

static uint64_t *root_table;
static uint64_t satp_value;
static size_t table_pages;
static struct spinlock mmu_lock = SPINLOCK_INIT;

static uint64_t level_size(int level)
{
	return 1ULL << (PAGE_SHIFT + 9 * level);
}

static uint64_t *table_alloc(void)
{
	paddr_t pa = frame_alloc(1, 1);
	if (!pa)
		return NULL;
	uint64_t *table = phys_to_virt(pa);
	memset(table, 0, PAGE_SIZE);
	table_pages++;
	return table;
}

static uint64_t pte_table(const uint64_t *table)
{
	return (virt_to_phys(table) >> PAGE_SHIFT) << PTE_PPN_SHIFT | PTE_V;
}

static uint64_t pte_leaf(paddr_t pa, uint64_t prot)
{
	return (pa >> PAGE_SHIFT) << PTE_PPN_SHIFT | prot | PTE_V;
}

static paddr_t pte_address(uint64_t pte)
{
	return (pte >> PTE_PPN_SHIFT) << PAGE_SHIFT;
}

static bool pte_is_leaf(uint64_t pte)
{
	return (pte & PTE_V) && (pte & PTE_LEAF_MASK);
}

/* The next-level table below *pte, creating it (empty, or repeating a leaf's translation with
 * pages one level smaller) when needed. */
static uint64_t *subtable(uint64_t *pte, int level)
{
	if ((*pte & PTE_V) && !pte_is_leaf(*pte))
		return phys_to_virt(pte_address(*pte));
	uint64_t *table = table_alloc();
	if (!table)
		return NULL;
	if (pte_is_leaf(*pte)) {
		uint64_t prot = *pte & ((1UL << PTE_PPN_SHIFT) - 1) & ~PTE_V;
		for (int i = 0; i < 512; i++)
			table[i] = pte_leaf(pte_address(*pte) + (uint64_t)i * level_size(level - 1), prot);
	}
	*pte = pte_table(table);
	return table;
}

/* Maps [start, end) (4 KiB aligned) in 'table', which translates level-'level' pages. */
static int map_level(uint64_t *table, int level, uint64_t start, uint64_t end, uint64_t prot)
{
	uint64_t page = level_size(level);
	for (uint64_t va = start; va < end;) {
		uint64_t next = MIN(ALIGN_DOWN(va, page) + page, end);
		uint64_t *pte = &table[(va >> (PAGE_SHIFT + 9 * level)) & 511];
		bool whole = IS_ALIGNED(va, page) && next - va == page;
		if (whole && (level == 0 || !(*pte & PTE_V) || pte_is_leaf(*pte))) {
			*pte = pte_leaf(va, prot);
		} else {
			uint64_t *sub = subtable(pte, level);
			if (!sub)
				return -ENOMEM;
			int err = map_level(sub, level - 1, va, next, prot);
			if (err)
				return err;
		}
		va = next;
	}
	return 0;
}

static int map_range(paddr_t base, uint64_t size, uint64_t prot)
{
	paddr_t start = ALIGN_DOWN(base, PAGE_SIZE);
	paddr_t end = ALIGN_UP(base + size, PAGE_SIZE);
	if (end <= start || end > SV39_VA_LIMIT)
		return -ERANGE;
	return map_level(root_table, SV39_LEVELS - 1, start, end, prot);
}

/* Removes the 4 KiB page at va (which must sit under a level-0 table after map_range). */
static int unmap_page(uint64_t va)
{
	uint64_t *table = root_table;
	for (int level = SV39_LEVELS - 1; level > 0; level--) {
		table = subtable(&table[(va >> (PAGE_SHIFT + 9 * level)) & 511], level);
		if (!table)
			return -ENOMEM;
	}
	table[(va >> PAGE_SHIFT) & 511] = 0;
	return 0;
}

static void local_flush(void)
{
	__asm__ __volatile__("sfence.vma" ::: "memory");
}

static void load_satp(void)
{
	/* 4.2.1: order the page-table writes before the walk, then drop stale translations. */
	local_flush();
	csr_write(satp, satp_value);
	local_flush();
}

int arch_mmu_init(const struct boot_info *info)
{
	root_table = table_alloc();
	if (!root_table)
		return -ENOMEM;
	int err = map_range(0, LOW_DEVICE_LIMIT, PROT_DEVICE);
	if (!err)
		err = unmap_page(0);
	for (unsigned i = 0; !err && i < info->ram_count; i++) {
		err = map_range(info->ram[i].base, info->ram[i].size, PROT_RAM);
		if (err)
			log_error("cannot map RAM %#lx-%#lx in Sv39: %d", (unsigned long)info->ram[i].base,
				  (unsigned long)(info->ram[i].base + info->ram[i].size), err);
	}
	if (err)
		return err;

	satp_value = SATP_MODE_SV39 | (virt_to_phys(root_table) >> PAGE_SHIFT);
	load_satp();
	/* An unsupported MODE makes the whole write have no effect (4.1.11). */
	if (csr_read(satp) != satp_value) {
		log_error("the hart does not support Sv39 (satp reads %#lx after writing %#lx)",
			  csr_read(satp), (unsigned long)satp_value);
		satp_value = 0;
		return -ENOTSUP;
	}
	log_info("MMU: Sv39 identity map on, root table %#lx, %zu page-table pages; RAM rwx, "
		 "low 4 GiB device rw",
		 (unsigned long)virt_to_phys(root_table), table_pages);
	return 0;
}

void arch_mmu_init_secondary(void)
{
	if (satp_value)
		load_satp();
}

int arch_mmu_map_device(paddr_t base, uint64_t size)
{
	if (!root_table)
		return -EINVAL;
	unsigned long flags = spin_lock_irqsave(&mmu_lock);
	int err = map_range(base, size, PROT_DEVICE);
	spin_unlock_irqrestore(&mmu_lock, flags);
	if (err) {
		log_error("cannot map device %#lx+%#lx: %d", (unsigned long)base, (unsigned long)size, err);
		return err;
	}
	local_flush();
	sbi_remote_sfence_vma_all();
	return 0;
}
