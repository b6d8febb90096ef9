/* SPDX-License-Identifier: Apache-2.0 */
/* IMSIC guest interrupt files as a VM's interrupt files (RISC-V AIA 1.0, chapter 6; H extension
 * 8.2.1 hstatus.VGEIN, 8.2.4 hgeie/hgeip). A VM whose config has an "imsic" interrupt controller
 * gets, for each vCPU, one guest file of the IMSIC of the hart it runs on:
 *  - its page is the vCPU's page of the guest's IMSIC window in the G-stage, so the guest's own
 *    MSIs and IPIs (a store of an identity to another vCPU's page) land in the file without an
 *    exit, and hstatus.VGEIN = the file makes the file's interrupt the guest's VSEIP: the guest
 *    claims through stopei and programs its enables through siselect/sireg without an exit either;
 *  - a file belongs to one hart, so the vCPU is placed on one CPU for good when it is created
 *    (arch_vcpu_placement), on the CPU of its allowed ones with most files free;
 *  - while the vCPU runs, its file's bit in hgeie is clear (its interrupts go to the guest);
 *    while it is put or waits in a halt, the bit is set, so an interrupt arriving for it is the
 *    hypervisor's guest external interrupt (scause 12), which wakes the hart and kicks the vCPU;
 *  - a VM reset clears the file's state (delivery off, nothing pending or enabled) when the vCPU
 *    is next loaded on its hart, the only place its CSRs are reachable. */
#include "arch_impl/aia.h"
#include "drivers/aia.h"
#include "virt/arch_vm.h"
#include "virt_impl/guest.h"
#include "virt_impl/hcsr.h"
#include "kernel/mm.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

/* Files per hart this hypervisor hands out (the spec allows 63; QEMU virt has at most 7). */
#define FILES_MAX 15

static struct spinlock files_lock = SPINLOCK_INIT;
/* taken[cpu] bit g: file g of that CPU's hart is a vCPU's; owners[cpu][g]: that vCPU, once its
 * VM's interrupt controller is made (riscv_imsic_attach). */
static uint32_t taken[MAX_CPUS];
static struct vcpu *owners[MAX_CPUS][FILES_MAX + 1];

static unsigned files_per_hart(void)
{
	unsigned n = aia_guest_files();
	return n < FILES_MAX ? n : FILES_MAX;
}

/* Interrupt context, any CPU: files with an interrupt whose vCPUs are not loaded. Their bits leave
 * hgeie until the vCPU is put again (a level: it would fire until the guest claims). */
static void guest_external_interrupt(void)
{
	unsigned cpu = this_cpu()->id;
	uint64_t fired = csr_read(hgeip) & csr_read(hgeie);
	csr_clear(hgeie, fired);
	for (unsigned g = 1; g <= FILES_MAX; g++) {
		struct vcpu *vcpu = (fired >> g) & 1 ? __atomic_load_n(&owners[cpu][g], __ATOMIC_ACQUIRE) : NULL;
		if (vcpu)
			vcpu_kick(vcpu);
	}
}

uint64_t arch_vcpu_placement(struct vm *vm, unsigned index, uint64_t allowed)
{
	if (!riscv_imsic_window(vm->config))
		return allowed;
	if (files_per_hart() == 0) {
		vm_log_error(vm, "its config has an IMSIC, but the host has no guest interrupt files (an AIA machine with "
				 "aia-guests, e.g. make run PLATFORM=aia)");
		return 0;
	}
	unsigned long flags = spin_lock_irqsave(&files_lock);
	int best_cpu = -1;
	unsigned best_free = 0, best_file = 0;
	for (unsigned cpu = 0; cpu < cpus_possible && cpu < MAX_CPUS; cpu++) {
		if (!(allowed & CPUMASK_ONE(cpu)) || !aia_guest_file_page(cpu, 1))
			continue;
		unsigned free = 0, first = 0;
		for (unsigned g = files_per_hart(); g >= 1; g--)
			if (!(taken[cpu] >> g & 1)) {
				free++;
				first = g;
			}
		if (free > best_free) {
			best_cpu = (int)cpu, best_free = free, best_file = first;
		}
	}
	if (best_cpu >= 0)
		taken[best_cpu] |= 1u << best_file;
	spin_unlock_irqrestore(&files_lock, flags);
	if (best_cpu < 0) {
		vm_log_error(vm, "vCPU %u: no guest interrupt file free on CPUs %#llx (%u per hart)", index,
			     (unsigned long long)allowed, files_per_hart());
		return 0;
	}
	if (!vm->arch.imsic_files)
		vm->arch.imsic_files = kzalloc(sizeof(*vm->arch.imsic_files) * vm->vcpu_count);
	if (!vm->arch.imsic_files) {
		riscv_imsic_release_file((unsigned)best_cpu, best_file);
		return 0;
	}
	vm->arch.imsic_files[index] = (struct riscv_imsic_file){ .cpu = (uint16_t)best_cpu, .file = (uint16_t)best_file };
	return CPUMASK_ONE(best_cpu);
}

void riscv_imsic_release_file(unsigned cpu, unsigned file)
{
	unsigned long flags = spin_lock_irqsave(&files_lock);
	if (cpu < MAX_CPUS && file >= 1 && file <= FILES_MAX) {
		__atomic_store_n(&owners[cpu][file], NULL, __ATOMIC_RELEASE);
		taken[cpu] &= ~(1u << file);
	}
	spin_unlock_irqrestore(&files_lock, flags);
}

void riscv_imsic_release(struct vm *vm)
{
	if (!vm->arch.imsic_files)
		return;
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		if (vm->arch.imsic_files[i].file)
			riscv_imsic_release_file(vm->arch.imsic_files[i].cpu, vm->arch.imsic_files[i].file);
	kfree(vm->arch.imsic_files);
	vm->arch.imsic_files = NULL;
}

int riscv_imsic_attach(struct vm *vm, gpa_t window)
{
	riscv_set_guest_external_handler(guest_external_interrupt); /* the same each time */
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		struct riscv_imsic_file *f = &vm->arch.imsic_files[i];
		struct vcpu *vcpu = vm->vcpus[i];
		paddr_t page = aia_guest_file_page(f->cpu, f->file);
		int err = page ? arch_gpt_map(vm, window + (gpa_t)i * 0x1000, page, 0x1000, GPT_READ | GPT_WRITE | GPT_DEVICE) : -EINVAL;
		if (err < 0) {
			vm_log_error(vm, "cannot map vCPU %u's interrupt file at %#llx (%d)", i,
				     (unsigned long long)(window + (gpa_t)i * 0x1000), err);
			return err;
		}
		__atomic_store_n(&owners[f->cpu][f->file], vcpu, __ATOMIC_RELEASE);
		riscv_vcpu_set_imsic_file(vcpu, f->file, page);
	}
	vm_log_info(vm, "IMSIC at %#llx: %u guest interrupt file(s), %u identities each", (unsigned long long)window,
		    vm->vcpu_count, aia_num_ids());
	return 0;
}

/* Delivery off, threshold 0, nothing pending or enabled (AIA 1.0, 3.8): a guest file at reset. The
 * file is the one hstatus.VGEIN selects (the vCPU's, being loaded). */
static void clear_file(void)
{
	imsic_vs_write(IMSIC_EIDELIVERY, 0);
	imsic_vs_write(IMSIC_EITHRESHOLD, 0);
	for (unsigned id = 0; id <= aia_num_ids(); id += 64) {
		imsic_vs_write(imsic_bits_reg(IMSIC_EIE0, id), 0);
		imsic_vs_write(imsic_bits_reg(IMSIC_EIP0, id), 0);
	}
}

void riscv_imsic_load(struct vcpu *vcpu)
{
	struct vcpu_arch *a = &vcpu->arch;
	unsigned g = a->imsic_file;
	if (!g)
		return;
	csr_clear(hgeie, 1UL << g);
	if (a->imsic_reset) {
		clear_file();
		a->imsic_reset = false;
		a->imsic_vsiselect = 0;
	}
	/* The guest's siselect is the hart's one vsiselect (AIA 1.0, 2.3): each vCPU's own. */
	csr_write_num(CSR_VSISELECT, a->imsic_vsiselect);
}

void riscv_imsic_put(struct vcpu *vcpu)
{
	unsigned g = vcpu->arch.imsic_file;
	if (!g)
		return;
	vcpu->arch.imsic_vsiselect = csr_read_num(CSR_VSISELECT);
	csr_set(hgeie, 1UL << g);
}

bool riscv_imsic_pending(const struct vcpu *vcpu)
{
	unsigned g = vcpu->arch.imsic_file;
	if (!g || !vcpu->arch.loaded)
		return false;
	return (csr_read(hgeip) >> g) & 1;
}

void riscv_imsic_halting(struct vcpu *vcpu, bool halting)
{
	unsigned g = vcpu->arch.imsic_file;
	if (!g)
		return;
	if (halting)
		csr_set(hgeie, 1UL << g);
	else
		csr_clear(hgeie, 1UL << g);
}

void riscv_imsic_send(struct vcpu *vcpu, unsigned identity)
{
	if (!vcpu->arch.imsic_page || identity == 0 || identity > aia_num_ids())
		return;
	/* seteipnum_le (AIA 1.0, 3.5); the file raises the interrupt for whoever runs the vCPU. */
	*(volatile uint32_t *)(uintptr_t)vcpu->arch.imsic_page = identity;
}
