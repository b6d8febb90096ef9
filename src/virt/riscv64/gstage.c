/* G-stage translation for guests (RISC-V privileged spec 20211203, 8.5 "Two-Stage Address
 * Translation"): Sv39x4, a 41-bit guest-physical space whose root table is 16 KiB (2048 entries,
 * 16 KiB aligned, 8.5.1) and whose lower levels are ordinary Sv39 tables. Leaves are 1 GiB,
 * 2 MiB or 4 KiB where addresses and size allow. Every G-stage leaf has U set (G-stage accesses
 * are checked as U-mode, 8.5.1) and A/D preset, so no A/D update faults happen. One VMID per VM
 * (8.2.10); hfence.gvma is issued on the hart that changes a live table and on every vCPU load. */
#include "virt/arch_vm.h"
#include "arch_impl/csr.h"
#include "virt_impl/hcsr.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "vmm/vm.h"

#define GPA_BITS 41
#define ROOT_ENTRIES 2048
#define ENTRIES 512
#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_LEAF (PTE_R | PTE_W | PTE_X)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK (0xfffffffffffUL << PTE_PPN_SHIFT)

static struct spinlock vmid_lock = SPINLOCK_INIT;
static unsigned next_vmid = 1;
static unsigned vmid_limit; /* 1 << VMIDLEN, probed once */

static uint64_t pte_to_pa(uint64_t pte)
{
	return (pte & PTE_PPN_MASK) >> PTE_PPN_SHIFT << 12;
}

static uint64_t pa_to_pte(uint64_t pa)
{
	return (pa >> 12) << PTE_PPN_SHIFT;
}

static uint64_t *new_tables(size_t pages)
{
	paddr_t pa = frame_alloc(pages, pages);
	if (!pa)
		return NULL;
	memset(phys_to_virt(pa), 0, pages * PAGE_SIZE);
	return phys_to_virt(pa);
}

static uint64_t leaf_bits(unsigned permissions)
{
	uint64_t bits = PTE_V | PTE_U | PTE_A | PTE_D;
	if (permissions & GPT_READ)
		bits |= PTE_R;
	if (permissions & GPT_WRITE)
		bits |= PTE_W | PTE_R; /* W without R is reserved (4.3.1) */
	if ((permissions & GPT_EXECUTE) && !(permissions & GPT_DEVICE))
		bits |= PTE_X;
	return bits;
}

/* VMIDLEN: the VMID bits that stick when all ones are written (8.2.10). */
static unsigned probe_vmid_limit(void)
{
	uint64_t old = csr_read(hgatp);
	csr_write(hgatp, HGATP_VMID_MASK);
	uint64_t bits = (csr_read(hgatp) & HGATP_VMID_MASK) >> HGATP_VMID_SHIFT;
	csr_write(hgatp, old);
	unsigned limit = 1;
	while (bits & 1) {
		limit <<= 1;
		bits >>= 1;
	}
	return limit;
}

int arch_vm_init(struct vm *vm)
{
	unsigned long flags = spin_lock_irqsave(&vmid_lock);
	if (!vmid_limit)
		vmid_limit = probe_vmid_limit();
	/* VMIDs are not reused: a VM that cannot have its own (VMIDLEN 0, or all used) shares VMID 0,
	 * which is safe because every vCPU load flushes its VMID on that hart. */
	unsigned vmid = next_vmid < vmid_limit ? next_vmid++ : 0;
	spin_unlock_irqrestore(&vmid_lock, flags);
	vm->arch.gstage_root = new_tables(4);
	if (!vm->arch.gstage_root)
		return -ENOMEM;
	vm->arch.vmid = (uint16_t)vmid;
	vm->arch.hgatp = HGATP_MODE_SV39X4 | ((uint64_t)vmid << HGATP_VMID_SHIFT) |
			 (virt_to_phys(vm->arch.gstage_root) >> 12);
	return 0;
}

static void free_tables(uint64_t *table, int level, unsigned entries)
{
	if (level > 0) {
		for (unsigned i = 0; i < entries; i++)
			if ((table[i] & PTE_V) && !(table[i] & PTE_LEAF))
				free_tables(phys_to_virt(pte_to_pa(table[i])), level - 1, ENTRIES);
	}
	frame_free(virt_to_phys(table), entries == ROOT_ENTRIES ? 4 : 1);
}

void arch_vm_destroy(struct vm *vm)
{
	if (vm->arch.gstage_root)
		free_tables(vm->arch.gstage_root, 2, ROOT_ENTRIES);
	vm->arch.gstage_root = NULL;
}

/* Level 2 is the root (GPA bits 40:30), level 0 maps 4 KiB pages. */
static unsigned index_at(gpa_t gpa, int level)
{
	unsigned mask = level == 2 ? ROOT_ENTRIES - 1 : ENTRIES - 1;
	return (unsigned)(gpa >> (12 + 9 * level)) & mask;
}

static uint64_t level_size(int level)
{
	return 1ULL << (12 + 9 * level);
}

/* The entry for gpa at 'level', creating tables on the way (a leaf in the way is split). */
static uint64_t *entry_for(struct vm *vm, gpa_t gpa, int level)
{
	uint64_t *table = vm->arch.gstage_root;
	for (int l = 2; l > level; l--) {
		uint64_t *e = &table[index_at(gpa, l)];
		if (!(*e & PTE_V) || (*e & PTE_LEAF)) {
			uint64_t *next = new_tables(1);
			if (!next)
				return NULL;
			if (*e & PTE_V) {
				uint64_t step = level_size(l - 1), base = pte_to_pa(*e);
				uint64_t bits = *e & ~PTE_PPN_MASK;
				for (int i = 0; i < ENTRIES; i++)
					next[i] = pa_to_pte(base + i * step) | bits;
			}
			*e = pa_to_pte(virt_to_phys(next)) | PTE_V;
		}
		table = phys_to_virt(pte_to_pa(*e));
	}
	return &table[index_at(gpa, level)];
}

static void flush_gstage(struct vm *vm)
{
	__asm__ __volatile__("fence rw, rw" ::: "memory");
	hfence_gvma_vmid(vm->arch.vmid);
}

int arch_gpt_map(struct vm *vm, gpa_t gpa, hpa_t hpa, uint64_t size, unsigned permissions)
{
	if (!IS_ALIGNED(gpa | hpa | size, PAGE_SIZE) || gpa + size > (1ULL << GPA_BITS) || gpa + size < gpa)
		return -EINVAL;
	uint64_t bits = leaf_bits(permissions);
	bool replaced = false;
	while (size) {
		int level = 0;
		for (int l = 2; l > 0; l--) {
			if (IS_ALIGNED(gpa | hpa, level_size(l)) && size >= level_size(l)) {
				level = l;
				break;
			}
		}
		uint64_t *e = entry_for(vm, gpa, level);
		if (!e)
			return -ENOMEM;
		if (level > 0 && (*e & PTE_V) && !(*e & PTE_LEAF)) {
			/* A finer mapping is here: map this range page by page instead. */
			level = 0;
			e = entry_for(vm, gpa, 0);
			if (!e)
				return -ENOMEM;
		}
		replaced |= (*e & PTE_V) != 0;
		*e = pa_to_pte(hpa) | bits;
		gpa += level_size(level);
		hpa += level_size(level);
		size -= level_size(level);
	}
	if (replaced)
		flush_gstage(vm);
	else
		__asm__ __volatile__("fence rw, rw" ::: "memory");
	return 0;
}

/* The valid leaf mapping gpa and the size it covers, or NULL. */
static uint64_t *leaf_for(struct vm *vm, gpa_t gpa, uint64_t *covers)
{
	if (gpa >= (1ULL << GPA_BITS))
		return NULL;
	uint64_t *table = vm->arch.gstage_root;
	for (int level = 2; level >= 0; level--) {
		uint64_t *e = &table[index_at(gpa, level)];
		if (!(*e & PTE_V))
			return NULL;
		if (*e & PTE_LEAF) {
			*covers = level_size(level);
			return e;
		}
		table = phys_to_virt(pte_to_pa(*e));
	}
	return NULL;
}

int arch_gpt_unmap(struct vm *vm, gpa_t gpa, uint64_t size)
{
	while (size) {
		uint64_t covers = PAGE_SIZE;
		uint64_t *e = leaf_for(vm, gpa, &covers);
		if (e && covers > PAGE_SIZE && (!IS_ALIGNED(gpa, covers) || size < covers)) {
			e = entry_for(vm, gpa, 0); /* split the leaf, then clear one page */
			covers = PAGE_SIZE;
		}
		if (e)
			*e = 0;
		gpa += covers;
		size = size > covers ? size - covers : 0;
	}
	flush_gstage(vm);
	return 0;
}

int arch_gpt_translate(struct vm *vm, gpa_t gpa, hpa_t *hpa)
{
	uint64_t covers;
	uint64_t *e = leaf_for(vm, gpa, &covers);
	if (!e)
		return -EFAULT;
	*hpa = (pte_to_pa(*e) & ~(covers - 1)) | (gpa & (covers - 1));
	return 0;
}
