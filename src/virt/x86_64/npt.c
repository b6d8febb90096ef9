/* SPDX-License-Identifier: Apache-2.0 */
/* Nested page tables (AMD APM vol. 2, 15.25 "Nested Paging"): the guest-physical to host-physical
 * translation in the long-mode 4-level format (5.3), walked by virt/gpt.c as user accesses
 * (15.25.5), so every entry has U set. RAM is write-back (no PCD/PWT; the guest's PAT combines with
 * it), passthrough device windows are UC (PCD|PWT). 2 MiB pages where both addresses and the size
 * allow, 4 KiB otherwise. A guest-physical address with no entry makes a nested page fault: an MMIO
 * exit. */
#include "virt/arch_vm.h"
#include "virt_impl/guest.h"
#include "arch_impl/msr.h"
#include "arch_impl/paging.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/id_pool.h"
#include "virt/gpt.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "arch/cpu.h"
#include "kernel/sched.h"

#define NPT_USER BIT(2)
#define GPA_BITS 48
#define ASIDS 256 /* at most this many (CPUID 8000_000Ah EBX may offer more) */

static struct spinlock asid_lock = SPINLOCK_INIT;
static uint64_t asid_map[ID_POOL_WORDS(ASIDS)];
static struct id_pool asids = { asid_map, 0 }; /* size set at the first VM */
static uint32_t shared_asid; /* the highest: for the VMs that find none free */

static uint64_t leaf_bits(unsigned permissions)
{
	uint64_t attrs = PTE_PRESENT | NPT_USER;
	if (permissions & GPT_WRITE)
		attrs |= PTE_WRITABLE;
	if (permissions & GPT_DEVICE)
		attrs |= PTE_CACHE_DISABLE | PTE_WRITE_THROUGH;
	return attrs;
}

/* 5.3.3 (4-Kbyte page translation) and 5.3.4 (2-Mbyte): P valid, PS in a PDE a 2 MiB page, the
 * address in bits 51:12. Tables are present, writable and user: the leaf decides. */
static const struct gpt_format npt_format = {
	.page_shift = 12, .level_bits = 9, .root_pages = 1, .max_block_level = 1,
	.oa_shift = 12, .oa_mask = PTE_ADDRESS_MASK, .valid = PTE_PRESENT,
	.type_mask = PTE_PRESENT | PTE_LARGE, .table_type = PTE_PRESENT,
	.table_bits = PTE_PRESENT | PTE_WRITABLE | NPT_USER, .block_bits = PTE_LARGE,
	.leaf_attributes = leaf_bits,
};

#define NPT(vm) (&(struct gpt){ &npt_format, (vm)->arch.npt_root, 4, GPA_BITS })

int arch_vm_init(struct vm *vm)
{
	vm->arch.npt_root = gpt_alloc_root(&npt_format);
	if (!vm->arch.npt_root)
		return -ENOMEM;
	/* ASIDs tag the guest's TLB entries (15.16). When VMs outnumber them, the rest share the
	 * highest: a vCPU that finds another guest ran last on its CPU flushes its ASID (vcpu.c). */
	unsigned long flags = spin_lock_irqsave(&asid_lock);
	if (!asids.size) {
		struct cpuid_regs r = cpuid(0x8000000a, 0);
		shared_asid = MIN(r.ebx > 1 ? r.ebx : 2, ASIDS) - 1;
		asids.size = shared_asid;
	}
	int asid = id_pool_alloc(&asids);
	spin_unlock_irqrestore(&asid_lock, flags);
	vm->arch.asid = asid > 0 ? (uint32_t)asid : shared_asid;
	return 0;
}

void arch_vm_destroy(struct vm *vm)
{
	gpt_free(NPT(vm));
	vm->arch.npt_root = NULL;
	x86_platform_destroy(vm);
	unsigned long flags = spin_lock_irqsave(&asid_lock);
	if (vm->arch.asid != shared_asid)
		id_pool_free(&asids, vm->arch.asid);
	spin_unlock_irqrestore(&asid_lock, flags);
	vm->arch.asid = 0;
}

int arch_gpt_map(struct vm *vm, gpa_t gpa, hpa_t hpa, uint64_t size, unsigned permissions)
{
	/* vm_memory.c maps RAM at a vCPU's first touch while other vCPUs run: the tables change
	 * under one lock (the walk creates missing tables). */
	unsigned long flags = spin_lock_irqsave(&vm->gpt_lock);
	int replaced = gpt_map(NPT(vm), gpa, hpa, size, permissions);
	spin_unlock_irqrestore(&vm->gpt_lock, flags);
	if (replaced < 0)
		return replaced;
	if (replaced)
		__atomic_add_fetch(&vm->arch.tlb_generation, 1, __ATOMIC_RELEASE);
	return 0;
}

/* Effective on every CPU when it returns (arch_vm.h): every vCPU flushes before it runs again (the
 * generation), and one in the guest now is kicked out and waited for, so that no TLB entry of the
 * old mapping is used once this returns (the caller may free the frames). */
int arch_gpt_unmap(struct vm *vm, gpa_t gpa, uint64_t size)
{
	unsigned long flags = spin_lock_irqsave(&vm->gpt_lock);
	int err = gpt_unmap(NPT(vm), gpa, size);
	spin_unlock_irqrestore(&vm->gpt_lock, flags);
	uint64_t generation = __atomic_add_fetch(&vm->arch.tlb_generation, 1, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *vcpu = vm->vcpus[i];
		if (!vcpu || vcpu->task == task_current())
			continue;
		struct vcpu_arch *a = &vcpu->arch;
		if (!__atomic_load_n(&a->in_guest, __ATOMIC_SEQ_CST) ||
		    __atomic_load_n(&a->tlb_generation, __ATOMIC_ACQUIRE) == generation)
			continue;
		vcpu_kick(vcpu); /* an IPI: the guest exits (INTR), and the next entry flushes */
		while (__atomic_load_n(&a->in_guest, __ATOMIC_ACQUIRE) &&
		       __atomic_load_n(&a->tlb_generation, __ATOMIC_ACQUIRE) != generation)
			arch_cpu_relax();
	}
	return err;
}

int arch_gpt_translate(struct vm *vm, gpa_t gpa, hpa_t *hpa)
{
	return gpt_translate(NPT(vm), gpa, hpa);
}
