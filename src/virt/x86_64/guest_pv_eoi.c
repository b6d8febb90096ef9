/* SPDX-License-Identifier: Apache-2.0 */
/* Paravirtual end of interrupt, with the KVM ABI Linux already speaks (Linux
 * Documentation/virt/kvm/x86/msr.rst, MSR_KVM_PV_EOI_EN; cpuid.rst, KVM_FEATURE_PV_EOI, offered at
 * CPUID 0x40000101 beside the paravirtual clock). The guest names a 4-byte word of its RAM. When the
 * vCPU is offered an interrupt whose end needs nothing but its in-service bit cleared (vlapic.h,
 * vlapic_end_may_wait), bit 0 of that word is set, and the guest's handler, instead of writing the
 * local APIC's EOI register (an exit), clears it. The next exit that goes the full way finds it
 * clear and ends the interrupt then (x86_pv_eoi_sync); found still set, the guest has not taken
 * the interrupt or not ended it yet: the bit is cleared and its EOI will be a write as usual.
 * Linux ends its timer and IPI interrupts so: some 650 exits fewer per boot. */
#include "virt_impl/guest.h"
#include "virt_impl/vapic.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define PV_EOI_ENABLED 1ULL
#define PV_EOI_RESERVED 2ULL  /* must be zero */
#define PV_EOI_PENDING 1u     /* bit 0 of the guest's word: its EOI may be skipped */

bool x86_pv_eoi_wrmsr(struct vcpu *vcpu, uint64_t value)
{
	struct vcpu_arch *a = &vcpu->arch;
	x86_pv_eoi_sync(vcpu); /* an end the guest signalled in the old word is not lost */
	if (!(value & PV_EOI_ENABLED)) {
		a->pv_eoi_msr = value;
		a->pv_eoi_word = NULL;
		return true;
	}
	volatile uint32_t *word = value & PV_EOI_RESERVED ? NULL : vm_guest_ram(vcpu->vm, value & ~3ULL, 4);
	if (!word) {
		if (vm_log_budget(vcpu->vm, &vcpu->vm->arch.pvclock_log_lines, 4, "bad paravirtual areas"))
			vm_log_warn(vcpu->vm, "vCPU %u: paravirtual EOI word %#llx is not guest RAM (#GP)", vcpu->id,
				    (unsigned long long)value);
		return false; /* KVM answers #GP too */
	}
	a->pv_eoi_msr = value;
	a->pv_eoi_word = word;
	return true;
}

void x86_pv_eoi_offer(struct vcpu_arch *a, int vector)
{
	if (!a->pv_eoi_word)
		return;
	bool may_wait = vlapic_end_may_wait(a->lapic, vector);
	if (a->pv_eoi_armed == may_wait)
		return;
	/* Disarmed only before the offered vector was taken (the hot path goes the full way once it
	 * was): the guest cannot have cleared the bit yet. */
	*a->pv_eoi_word = may_wait ? *a->pv_eoi_word | PV_EOI_PENDING : *a->pv_eoi_word & ~PV_EOI_PENDING;
	a->pv_eoi_armed = may_wait;
}

void x86_pv_eoi_sync(struct vcpu *vcpu)
{
	struct vcpu_arch *a = &vcpu->arch;
	if (!a->pv_eoi_armed)
		return;
	a->pv_eoi_armed = false;
	uint32_t word = *a->pv_eoi_word;
	if (word & PV_EOI_PENDING)
		*a->pv_eoi_word = word & ~PV_EOI_PENDING;
	else
		vlapic_eoi(a->lapic);
}
