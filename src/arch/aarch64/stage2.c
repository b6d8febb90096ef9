/* Stage-2 translation for guests (Arm ARM D8.3 "Translation table descriptor formats", stage 2
 * attributes D8.5.5): 4 KiB granule, 39-bit IPA space starting at level 1 (VTCR_EL2.SL0 = 1),
 * 2 MiB blocks where both addresses and the size allow, 4 KiB pages otherwise. One VMID per VM. */
#include "arch/vm.h"
#include "arch_impl/sysreg.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "vmm/vm.h"

#define IPA_BITS 39
#define ENTRIES 512
#define DESC_VALID 0x1ULL
#define DESC_TABLE 0x3ULL  /* levels 1-2 */
#define DESC_PAGE 0x3ULL   /* level 3 */
#define DESC_BLOCK 0x1ULL  /* levels 1-2 */
#define DESC_TYPE_MASK 0x3ULL
#define DESC_ADDRESS_MASK 0x0000fffffffff000ULL
#define S2_MEMATTR_NORMAL_WB (0xfULL << 2)
#define S2_MEMATTR_DEVICE_NGNRE (0x1ULL << 2)
#define S2_AP_READ (1ULL << 6)
#define S2_AP_WRITE (1ULL << 7)
#define S2_SH_INNER (3ULL << 8)
#define S2_AF (1ULL << 10)
#define S2_XN (2ULL << 53) /* XN[1:0] = 0b10: not executable at EL1 or EL0 */

static struct spinlock vmid_lock = SPINLOCK_INIT;
static uint16_t next_vmid = 1;
uint64_t stage2_vtcr;

static uint64_t *new_table(void)
{
	paddr_t pa = frame_alloc(1, 1);
	if (!pa)
		return NULL;
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return phys_to_virt(pa);
}

static uint64_t attributes(unsigned permissions)
{
	uint64_t a = S2_AF;
	a |= (permissions & GPT_DEVICE) ? S2_MEMATTR_DEVICE_NGNRE : (S2_MEMATTR_NORMAL_WB | S2_SH_INNER);
	if (permissions & GPT_READ)
		a |= S2_AP_READ;
	if (permissions & GPT_WRITE)
		a |= S2_AP_WRITE;
	if (!(permissions & GPT_EXECUTE) || (permissions & GPT_DEVICE))
		a |= S2_XN;
	return a;
}

int arch_vm_init(struct vm *vm)
{
	if (!stage2_vtcr) {
		/* VTCR_EL2 (D19.2.150): RES1 bit 31, PS from the CPU's PA range (capped at 48 bits),
		 * 4 KiB granule, inner-shareable write-back walks, SL0 = 1, T0SZ = 64 - IPA_BITS. */
		uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
		if (parange > 5)
			parange = 5;
		stage2_vtcr = (1ULL << 31) | (parange << 16) | (3ULL << 12) | (1ULL << 10) | (1ULL << 8) |
			      (1ULL << 6) | (64 - IPA_BITS);
	}
	unsigned long flags = spin_lock_irqsave(&vmid_lock);
	uint16_t vmid = next_vmid < 256 ? next_vmid++ : 0;
	spin_unlock_irqrestore(&vmid_lock, flags);
	if (!vmid)
		return -ENOSPC;
	vm->arch.stage2_root = new_table();
	if (!vm->arch.stage2_root)
		return -ENOMEM;
	vm->arch.vmid = vmid;
	vm->arch.vttbr = virt_to_phys(vm->arch.stage2_root) | ((uint64_t)vmid << 48);
	return 0;
}

static void free_tables(uint64_t *table, int level)
{
	if (level < 3) {
		for (int i = 0; i < ENTRIES; i++)
			if ((table[i] & DESC_TYPE_MASK) == DESC_TABLE)
				free_tables(phys_to_virt(table[i] & DESC_ADDRESS_MASK), level + 1);
	}
	frame_free(virt_to_phys(table), 1);
}

void arch_vm_destroy(struct vm *vm)
{
	if (vm->arch.stage2_root)
		free_tables(vm->arch.stage2_root, 1);
	vm->arch.stage2_root = NULL;
}

static unsigned index_at(gpa_t gpa, int level)
{
	return (unsigned)(gpa >> (12 + 9 * (3 - level))) & (ENTRIES - 1);
}

/* The entry for gpa at 'level', creating tables on the way (a block in the way is split). */
static uint64_t *entry_for(struct vm *vm, gpa_t gpa, int level)
{
	uint64_t *table = vm->arch.stage2_root;
	for (int l = 1; l < level; l++) {
		uint64_t *e = &table[index_at(gpa, l)];
		if ((*e & DESC_TYPE_MASK) != DESC_TABLE) {
			uint64_t *next = new_table();
			if (!next)
				return NULL;
			if ((*e & DESC_TYPE_MASK) == DESC_BLOCK) {
				uint64_t step = 1ULL << (12 + 9 * (3 - (l + 1)));
				uint64_t base = *e & DESC_ADDRESS_MASK, attrs = *e & ~DESC_ADDRESS_MASK & ~DESC_TYPE_MASK;
				for (int i = 0; i < ENTRIES; i++)
					next[i] = (base + i * step) | attrs | (l + 1 == 3 ? DESC_PAGE : DESC_BLOCK);
			}
			*e = virt_to_phys(next) | DESC_TABLE;
		}
		table = phys_to_virt(*e & DESC_ADDRESS_MASK);
	}
	return &table[index_at(gpa, level)];
}

static void flush_stage2_tlb(void)
{
	dsb(ishst);
	__asm__ volatile("tlbi alle1is" ::: "memory");
	dsb(ish);
	isb();
}

int arch_gpt_map(struct vm *vm, gpa_t gpa, hpa_t hpa, uint64_t size, unsigned permissions)
{
	if (!IS_ALIGNED(gpa | hpa | size, PAGE_SIZE) || gpa + size > (1ULL << IPA_BITS) || gpa + size < gpa)
		return -EINVAL;
	uint64_t attrs = attributes(permissions);
	bool replaced = false;
	while (size) {
		bool block = IS_ALIGNED(gpa | hpa, MiB(2)) && size >= MiB(2);
		uint64_t *e = entry_for(vm, gpa, block ? 2 : 3);
		if (!e)
			return -ENOMEM;
		if ((*e & DESC_TYPE_MASK) == DESC_TABLE && block) {
			/* A finer mapping was here: map this range page by page instead. */
			block = false;
			e = entry_for(vm, gpa, 3);
			if (!e)
				return -ENOMEM;
		}
		replaced |= (*e & DESC_VALID) != 0;
		*e = (hpa & DESC_ADDRESS_MASK) | attrs | (block ? DESC_BLOCK : DESC_PAGE);
		uint64_t step = block ? MiB(2) : PAGE_SIZE;
		gpa += step;
		hpa += step;
		size -= step;
	}
	dsb(ishst);
	if (replaced)
		flush_stage2_tlb();
	return 0;
}

/* The valid leaf entry mapping gpa and the size it covers, or NULL. */
static uint64_t *leaf_for(struct vm *vm, gpa_t gpa, uint64_t *covers)
{
	uint64_t *table = vm->arch.stage2_root;
	for (int level = 1; level <= 3; level++) {
		uint64_t *e = &table[index_at(gpa, level)];
		if (!(*e & DESC_VALID))
			return NULL;
		if (level == 3 || (*e & DESC_TYPE_MASK) == DESC_BLOCK) {
			*covers = 1ULL << (12 + 9 * (3 - level));
			return e;
		}
		table = phys_to_virt(*e & DESC_ADDRESS_MASK);
	}
	return NULL;
}

int arch_gpt_unmap(struct vm *vm, gpa_t gpa, uint64_t size)
{
	while (size) {
		uint64_t covers = PAGE_SIZE;
		uint64_t *e = leaf_for(vm, gpa, &covers);
		if (e && covers > PAGE_SIZE && (!IS_ALIGNED(gpa, covers) || size < covers)) {
			e = entry_for(vm, gpa, 3); /* split the block, then clear one page */
			covers = PAGE_SIZE;
		}
		if (e)
			*e = 0;
		gpa += covers;
		size = size > covers ? size - covers : 0;
	}
	flush_stage2_tlb();
	return 0;
}

int arch_gpt_translate(struct vm *vm, gpa_t gpa, hpa_t *hpa)
{
	uint64_t covers;
	uint64_t *e = leaf_for(vm, gpa, &covers);
	if (!e)
		return -EFAULT;
	*hpa = (*e & DESC_ADDRESS_MASK & ~(covers - 1)) | (gpa & (covers - 1));
	return 0;
}
