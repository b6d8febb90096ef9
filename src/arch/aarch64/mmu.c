/* SPDX-License-Identifier: Apache-2.0 */
/* The hypervisor's own EL2 stage-1 translation: an identity map with 4 KiB granule and a 39-bit
 * address space starting at level 1 (Arm ARM D8.2 "Translation table descriptor formats").
 * The low 4 GiB are device memory, RAM is normal write-back memory; 1 GiB blocks where aligned,
 * 2 MiB blocks otherwise. */
#include "arch/boot.h"
#include "arch_impl/sysreg.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "lib/errno.h"
#include "lib/string.h"

#define VA_BITS 39
#define ENTRIES 512
#define L1_BLOCK GiB(1)
#define L2_BLOCK MiB(2)

#define DESC_BLOCK 0x1ULL
#define DESC_TABLE 0x3ULL
#define DESC_TYPE_MASK 0x3ULL
#define DESC_ATTR_INDEX(i) ((uint64_t)(i) << 2)
#define DESC_AP_RES1 (1ULL << 6)  /* AP[1] is RES1 in the EL2 regime (D8.4.1.2.1) */
#define DESC_SH_INNER (3ULL << 8)
#define DESC_AF (1ULL << 10)
#define DESC_XN (1ULL << 54)
#define DESC_ADDRESS_MASK 0x0000fffffffff000ULL

/* MAIR_EL2 (D19.2.78): index 0 normal write-back, 1 Device-nGnRE, 2 normal non-cacheable. */
#define MAIR_VALUE 0x4404ffULL
#define ATTR_NORMAL (DESC_ATTR_INDEX(0) | DESC_SH_INNER | DESC_AF | DESC_AP_RES1)
#define ATTR_DEVICE (DESC_ATTR_INDEX(1) | DESC_AF | DESC_AP_RES1 | DESC_XN)

#define SCTLR_M (1ULL << 0)
#define SCTLR_C (1ULL << 2)
#define SCTLR_I (1ULL << 12)

static uint64_t *root;
static uint64_t tcr_value;

static uint64_t *new_table(void)
{
	paddr_t pa = frame_alloc(1, 1);
	if (!pa)
		return NULL;
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return phys_to_virt(pa);
}

/* The level-2 table under a level-1 entry, splitting a 1 GiB block into 2 MiB blocks with the
 * same attributes when needed. */
static uint64_t *level2_of(uint64_t *l1_entry)
{
	if ((*l1_entry & DESC_TYPE_MASK) == DESC_TABLE)
		return phys_to_virt(*l1_entry & DESC_ADDRESS_MASK);
	uint64_t *table = new_table();
	if (!table)
		return NULL;
	if ((*l1_entry & DESC_TYPE_MASK) == DESC_BLOCK) {
		uint64_t base = *l1_entry & DESC_ADDRESS_MASK;
		uint64_t attrs = *l1_entry & ~DESC_ADDRESS_MASK;
		for (int i = 0; i < ENTRIES; i++)
			table[i] = (base + (uint64_t)i * L2_BLOCK) | attrs;
	}
	*l1_entry = virt_to_phys(table) | DESC_TABLE;
	return table;
}

static int map_range(paddr_t base, uint64_t size, uint64_t attrs)
{
	paddr_t addr = ALIGN_DOWN(base, L2_BLOCK);
	paddr_t end = ALIGN_UP(base + size, L2_BLOCK);
	if (end > (1ULL << VA_BITS)) {
		log_warn("cannot map [%#llx, %#llx): beyond the %d-bit hypervisor address space",
			 (unsigned long long)base, (unsigned long long)end, VA_BITS);
		end = 1ULL << VA_BITS;
	}
	while (addr < end) {
		uint64_t *l1_entry = &root[addr / L1_BLOCK];
		if (IS_ALIGNED(addr, L1_BLOCK) && end - addr >= L1_BLOCK) {
			*l1_entry = addr | attrs | DESC_BLOCK;
			addr += L1_BLOCK;
			continue;
		}
		uint64_t *l2 = level2_of(l1_entry);
		if (!l2)
			return -ENOMEM;
		l2[(addr % L1_BLOCK) / L2_BLOCK] = addr | attrs | DESC_BLOCK;
		addr += L2_BLOCK;
	}
	return 0;
}

static void flush_tlb(void)
{
	dsb(ishst);
	__asm__ volatile("tlbi alle2" ::: "memory");
	dsb(ish);
	isb();
}

static void enable_translation(void)
{
	write_sysreg(mair_el2, MAIR_VALUE);
	write_sysreg(tcr_el2, tcr_value);
	write_sysreg(ttbr0_el2, virt_to_phys(root));
	flush_tlb();
	write_sysreg(sctlr_el2, read_sysreg(sctlr_el2) | SCTLR_M | SCTLR_C | SCTLR_I);
	isb();
}

int arch_mmu_init(const struct boot_info *info)
{
	root = new_table();
	if (!root)
		return -ENOMEM;
	int err = map_range(0, GiB(4), ATTR_DEVICE);
	for (unsigned i = 0; i < info->ram_count && !err; i++)
		err = map_range(info->ram[i].base, info->ram[i].size, ATTR_NORMAL);
	if (err)
		return err;
	/* TCR_EL2 (D19.2.131): RES1 bits 31 and 23, PS from the CPU's physical address range
	 * (capped at 48 bits), 4 KiB granule, inner-shareable write-back walks, T0SZ = 64 - VA_BITS. */
	uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	if (parange > 5)
		parange = 5;
	tcr_value = (1ULL << 31) | (1ULL << 23) | (parange << 16) | (3ULL << 12) | (1ULL << 10) |
		    (1ULL << 8) | (64 - VA_BITS);
	enable_translation();
	return 0;
}

void arch_mmu_init_secondary(void)
{
	enable_translation();
}

int arch_mmu_map_device(paddr_t base, uint64_t size)
{
	int err = map_range(base, size, ATTR_DEVICE);
	flush_tlb();
	return err;
}
