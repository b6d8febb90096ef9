/* SPDX-License-Identifier: Apache-2.0 */
/* G-stage translation for guests (RISC-V privileged spec 20211203, 8.5 "Two-Stage Address
 * Translation"; 18.5 in later editions): Sv39x4, a 41-bit guest-physical space whose root table is
 * 16 KiB (2048 entries, 16 KiB aligned, 8.5.1) and whose lower levels are ordinary Sv39 tables,
 * walked by virt/gpt.c. Leaves are 1 GiB, 2 MiB or 4 KiB where addresses and size allow. Every
 * G-stage leaf has U set (G-stage accesses are checked as U-mode, 8.5.1) and A/D preset, so no A/D
 * update faults happen. One VMID per VM while they last (8.2.10), returned when the VM goes;
 * hfence.gvma is issued on the hart that changes a live table and on every vCPU load. */
#include "virt/arch_vm.h"
#include "arch_impl/csr.h"
#include "virt_impl/guest.h"
#include "virt_impl/hcsr.h"
#include "arch_impl/sbi.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/id_pool.h"
#include "virt/gpt.h"
#include "vmm/vm.h"

#define GPA_BITS 41
#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define VMIDS 256 /* at most this many (VMIDLEN may allow up to 2^14) */

static struct spinlock vmid_lock = SPINLOCK_INIT;
static uint64_t vmid_map[ID_POOL_WORDS(VMIDS)];
static struct id_pool vmids = { vmid_map, 0 }; /* size: 1 << VMIDLEN, probed at the first VM */

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

/* Sv39 PTEs (4.4.1): V valid, R = W = X = 0 a pointer to the next level, else a leaf at any level;
 * the PPN in bits 53:10. */
static const struct gpt_format gstage_format = {
	.page_shift = 12, .level_bits = 9, .root_pages = 4, .max_block_level = 2,
	.oa_shift = 10, .oa_mask = 0xfffffffffffUL << 10, .valid = PTE_V,
	.type_mask = PTE_V | PTE_R | PTE_W | PTE_X, .table_type = PTE_V, .table_bits = PTE_V,
	.leaf_attributes = leaf_bits,
};

#define GSTAGE(vm) (&(struct gpt){ &gstage_format, (vm)->arch.gstage_root, 3, GPA_BITS })

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
	vm->arch.gstage_root = gpt_alloc_root(&gstage_format);
	if (!vm->arch.gstage_root)
		return -ENOMEM;
	unsigned long flags = spin_lock_irqsave(&vmid_lock);
	if (!vmids.size)
		vmids.size = MIN(probe_vmid_limit(), VMIDS);
	int vmid = id_pool_alloc(&vmids);
	spin_unlock_irqrestore(&vmid_lock, flags);
	/* A VM that cannot have its own VMID (VMIDLEN 0, or all in use) shares VMID 0, which is safe
	 * because every vCPU load flushes its VMID on that hart. */
	vm->arch.vmid = (uint16_t)(vmid > 0 ? vmid : 0);
	vm->arch.hgatp = HGATP_MODE_SV39X4 | ((uint64_t)vm->arch.vmid << HGATP_VMID_SHIFT) |
			 (virt_to_phys(vm->arch.gstage_root) >> 12);
	return 0;
}

void arch_vm_destroy(struct vm *vm)
{
	riscv_imsic_release(vm);
	gpt_free(GSTAGE(vm));
	vm->arch.gstage_root = NULL;
	unsigned long flags = spin_lock_irqsave(&vmid_lock);
	id_pool_free(&vmids, vm->arch.vmid);
	spin_unlock_irqrestore(&vmid_lock, flags);
	vm->arch.vmid = 0;
}

static void flush_gstage(struct vm *vm)
{
	__asm__ __volatile__("fence rw, rw" ::: "memory");
	hfence_gvma_vmid(vm->arch.vmid);
}

int arch_gpt_map(struct vm *vm, gpa_t gpa, hpa_t hpa, uint64_t size, unsigned permissions)
{
	/* vm_memory.c maps RAM at a vCPU's first touch while other vCPUs run: the tables change
	 * under one lock (the walk creates missing tables). */
	unsigned long flags = spin_lock_irqsave(&vm->gpt_lock);
	int replaced = gpt_map(GSTAGE(vm), gpa, hpa, size, permissions);
	spin_unlock_irqrestore(&vm->gpt_lock, flags);
	if (replaced < 0)
		return replaced;
	if (replaced)
		flush_gstage(vm);
	else
		__asm__ __volatile__("fence rw, rw" ::: "memory");
	return 0;
}

/* Effective on every hart when it returns (arch_vm.h): the VM's vCPUs running elsewhere forget
 * the mapping through the SBI's remote HFENCE.GVMA, which returns once every hart has fenced. */
int arch_gpt_unmap(struct vm *vm, gpa_t gpa, uint64_t size)
{
	unsigned long flags = spin_lock_irqsave(&vm->gpt_lock);
	int err = gpt_unmap(GSTAGE(vm), gpa, size);
	spin_unlock_irqrestore(&vm->gpt_lock, flags);
	flush_gstage(vm);
	static bool warned;
	if (!sbi_remote_hfence_gvma_all() && !warned) {
		warned = true;
		log_warn("no SBI RFENCE: a guest mapping removed may stay cached on other harts");
	}
	return err;
}

int arch_gpt_translate(struct vm *vm, gpa_t gpa, hpa_t *hpa)
{
	return gpt_translate(GSTAGE(vm), gpa, hpa);
}
