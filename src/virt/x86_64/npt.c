/* Nested page tables (AMD APM vol. 2, 15.25 "Nested Paging"): the guest-physical to host-physical
 * translation in the long-mode 4-level format (5.3), walked as user accesses (15.25.5), so every
 * entry has U set. RAM is write-back (no PCD/PWT; the guest's PAT combines with it), passthrough
 * device windows are UC (PCD|PWT). 2 MiB pages where both addresses and the size allow, 4 KiB
 * otherwise. A guest-physical address with no entry makes a nested page fault: an MMIO exit. */
#include "virt/arch_vm.h"
#include "virt_impl/guest.h"
#include "arch_impl/msr.h"
#include "arch_impl/paging.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "vmm/vm.h"

#define NPT_USER BIT(2)
#define GPA_LIMIT (1ULL << 48)

static struct spinlock asid_lock = SPINLOCK_INIT;
static uint32_t next_asid = 1;
static uint32_t asid_count;

static uint64_t *new_table(void)
{
	paddr_t pa = frame_alloc(1, 1);
	if (!pa)
		return NULL;
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return phys_to_virt(pa);
}

int arch_vm_init(struct vm *vm)
{
	/* ASIDs tag the guest's TLB entries (15.16). They are shared round-robin when VMs outnumber
	 * them: a vCPU that finds another guest ran last on its CPU flushes its ASID (vcpu.c). */
	unsigned long flags = spin_lock_irqsave(&asid_lock);
	if (!asid_count) {
		struct cpuid_regs r = cpuid(0x8000000a, 0);
		asid_count = r.ebx > 1 ? r.ebx : 2;
	}
	uint32_t asid = next_asid;
	next_asid = next_asid + 1 < asid_count ? next_asid + 1 : 1;
	spin_unlock_irqrestore(&asid_lock, flags);
	vm->arch.npt_root = new_table();
	if (!vm->arch.npt_root)
		return -ENOMEM;
	vm->arch.asid = asid;
	int err = x86_platform_create(vm);
	if (err < 0) {
		arch_vm_destroy(vm);
		return err;
	}
	return 0;
}

static void free_tables(uint64_t *table, int level)
{
	if (level > 1) {
		for (int i = 0; i < 512; i++)
			if ((table[i] & PTE_PRESENT) && !(table[i] & PTE_LARGE))
				free_tables(phys_to_virt(table[i] & PTE_ADDRESS_MASK), level - 1);
	}
	frame_free(virt_to_phys(table), 1);
}

void arch_vm_destroy(struct vm *vm)
{
	if (vm->arch.npt_root)
		free_tables(vm->arch.npt_root, 4);
	vm->arch.npt_root = NULL;
	x86_platform_destroy(vm);
}

static unsigned index_at(gpa_t gpa, int level)
{
	return (unsigned)(gpa >> (12 + 9 * (level - 1))) & 511;
}

/* The entry for gpa at 'level' (1 = 4 KiB page table, 2 = page directory), creating tables on the
 * way; a 2 MiB page in the way is split into 4 KiB pages with the same attributes. */
static uint64_t *entry_for(struct vm *vm, gpa_t gpa, int level)
{
	uint64_t *table = vm->arch.npt_root;
	for (int l = 4; l > level; l--) {
		uint64_t *e = &table[index_at(gpa, l)];
		if (!(*e & PTE_PRESENT) || (*e & PTE_LARGE)) {
			uint64_t *next = new_table();
			if (!next)
				return NULL;
			if (*e & PTE_PRESENT) {
				uint64_t base = *e & PTE_ADDRESS_MASK, attrs = *e & 0xfff & ~PTE_LARGE;
				for (int i = 0; i < 512; i++)
					next[i] = (base + (uint64_t)i * PAGE_SIZE) | attrs;
			}
			*e = virt_to_phys(next) | PTE_PRESENT | PTE_WRITABLE | NPT_USER;
		}
		table = phys_to_virt(*e & PTE_ADDRESS_MASK);
	}
	return &table[index_at(gpa, level)];
}

int arch_gpt_map(struct vm *vm, gpa_t gpa, hpa_t hpa, uint64_t size, unsigned permissions)
{
	if (!IS_ALIGNED(gpa | hpa | size, PAGE_SIZE) || gpa + size > GPA_LIMIT || gpa + size < gpa)
		return -EINVAL;
	uint64_t attrs = PTE_PRESENT | NPT_USER;
	if (permissions & GPT_WRITE)
		attrs |= PTE_WRITABLE;
	if (permissions & GPT_DEVICE)
		attrs |= PTE_CACHE_DISABLE | PTE_WRITE_THROUGH;
	bool replaced = false;
	while (size) {
		bool large = IS_ALIGNED(gpa | hpa, MiB(2)) && size >= MiB(2);
		uint64_t *e = entry_for(vm, gpa, large ? 2 : 1);
		if (!e)
			return -ENOMEM;
		if (large && (*e & PTE_PRESENT) && !(*e & PTE_LARGE)) {
			large = false; /* a finer mapping was here: keep its table, map page by page */
			e = entry_for(vm, gpa, 1);
			if (!e)
				return -ENOMEM;
		}
		replaced |= (*e & PTE_PRESENT) != 0;
		*e = hpa | attrs | (large ? PTE_LARGE : 0);
		uint64_t step = large ? MiB(2) : PAGE_SIZE;
		gpa += step;
		hpa += step;
		size -= step;
	}
	if (replaced)
		__atomic_add_fetch(&vm->arch.tlb_generation, 1, __ATOMIC_RELEASE);
	return 0;
}

/* The present leaf mapping gpa and the size it covers, or NULL. */
static uint64_t *leaf_for(struct vm *vm, gpa_t gpa, uint64_t *covers)
{
	uint64_t *table = vm->arch.npt_root;
	for (int level = 4; level >= 1; level--) {
		uint64_t *e = &table[index_at(gpa, level)];
		if (!(*e & PTE_PRESENT))
			return NULL;
		if (level == 1 || (*e & PTE_LARGE)) {
			*covers = 1ULL << (12 + 9 * (level - 1));
			return e;
		}
		table = phys_to_virt(*e & PTE_ADDRESS_MASK);
	}
	return NULL;
}

int arch_gpt_unmap(struct vm *vm, gpa_t gpa, uint64_t size)
{
	if (!vm->arch.npt_root)
		return 0;
	while (size) {
		uint64_t covers = PAGE_SIZE;
		uint64_t *e = leaf_for(vm, gpa, &covers);
		if (e && covers > PAGE_SIZE && (!IS_ALIGNED(gpa, covers) || size < covers)) {
			e = entry_for(vm, gpa, 1); /* split, then remove only the part asked for */
			covers = PAGE_SIZE;
			if (!e)
				return -ENOMEM;
		}
		if (e)
			*e = 0;
		uint64_t step = e ? covers : PAGE_SIZE;
		gpa += step;
		size = size > step ? size - step : 0;
	}
	/* Stale translations must not outlive the mapping: every vCPU flushes before it runs again. */
	__atomic_add_fetch(&vm->arch.tlb_generation, 1, __ATOMIC_RELEASE);
	return 0;
}

int arch_gpt_translate(struct vm *vm, gpa_t gpa, hpa_t *hpa)
{
	uint64_t covers;
	uint64_t *e = leaf_for(vm, gpa, &covers);
	if (!e)
		return -EFAULT;
	*hpa = (*e & PTE_ADDRESS_MASK & ~(covers - 1)) | (gpa & (covers - 1));
	return 0;
}
