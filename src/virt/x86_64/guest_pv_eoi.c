/* SPDX-License-Identifier: Apache-2.0 */
/* Paravirtual end of interrupt, with the KVM ABI Linux already speaks (Linux
 * Documentation/virt/kvm/x86/msr.rst, MSR_KVM_PV_EOI_EN; feature bit 6 of CPUID 0x40000101, beside
 * the paravirtual clock's: guest_cpuid.c). Why: every interrupt a Linux guest handles ends with a
 * write of the local APIC's EOI register, an exit; most of them (its timer's) are the only one in
 * service with nothing else waiting, and then the write tells nothing a bit in memory cannot.
 *   MSR 0x4b564d04: gpa | 1 enables it (bit 1 reserved; a 4-byte area of guest RAM), 0 disables.
 * Before an entry that offers or has in service exactly one edge-triggered interrupt and nothing
 * else requested (vlapic_pv_eoi_allowed), bit 0 of the area is set: the guest's EOI then clears it
 * with one instruction (test-and-clear) instead of writing the register. After the exit, a clear
 * bit is the EOI (vlapic_eoi); a bit still set is cleared, so the guest's next EOI writes the
 * register. The hypervisor writes the area only on the vCPU's own CPU between its exit and its
 * entry, as the ABI promises. */
#include "virt_impl/guest.h"
#include "virt_impl/vapic.h"
#include "virt_impl/vm.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "kernel/log.h"

#define PV_EOI_ENABLED 1ULL
#define PV_EOI_RESERVED 2ULL
#define PV_EOI_PENDING 1u

bool x86_pv_eoi_wrmsr(struct vcpu *vcpu, uint64_t value)
{
	struct vcpu_arch *a = &vcpu->arch;
	uint32_t *area = NULL;
	bool valid = !(value & PV_EOI_RESERVED);
	if (valid && (value & PV_EOI_ENABLED)) {
		area = vm_guest_ram(vcpu->vm, value & ~3ULL, sizeof(*area));
		valid = area != NULL; /* KVM refuses an area it cannot map: #GP */
	}
	if (!valid) {
		if (vm_log_budget(vcpu->vm, &vcpu->vm->arch.pv_eoi_log_lines, 4, "bad PV EOI areas"))
			vm_log_warn(vcpu->vm, "vCPU %u: PV EOI area %#llx is not guest RAM or sets a reserved bit: #GP",
				    vcpu->id, (unsigned long long)value);
		return false;
	}
	/* An EOI the old area held back is not lost: the exit that led here looked at it. A guest
	 * writes this once per CPU as it brings it up. */
	if (area && area != a->pv_eoi_area)
		vm_log_info(vcpu->vm, "vCPU %u: paravirtual EOI at %#llx", vcpu->id, (unsigned long long)(value & ~3ULL));
	a->pv_eoi_msr = value;
	a->pv_eoi_area = area;
	a->pv_eoi_set = false;
	return true;
}

void x86_pv_eoi_reset(struct vcpu_arch *a)
{
	a->pv_eoi_msr = 0;
	a->pv_eoi_area = NULL;
	a->pv_eoi_set = false;
	a->pv_eoi_used = false;
}

void x86_pv_eoi_before_entry(struct vcpu_arch *a)
{
	if (!a->pv_eoi_set && vlapic_pv_eoi_allowed(a->lapic, a->offered_vector)) {
		__atomic_or_fetch(a->pv_eoi_area, PV_EOI_PENDING, __ATOMIC_RELAXED);
		a->pv_eoi_set = true;
	}
}

void x86_pv_eoi_after_exit(struct vcpu_arch *a)
{
	a->pv_eoi_set = false;
	if (__atomic_fetch_and(a->pv_eoi_area, ~PV_EOI_PENDING, __ATOMIC_RELAXED) & PV_EOI_PENDING)
		return; /* not used: the guest's next EOI writes the register */
	vlapic_eoi(a->lapic);
	if (!a->pv_eoi_used) { /* once per boot: the tests see that the guest's EOIs take this way */
		a->pv_eoi_used = true;
		struct vcpu *vcpu = container_of(a, struct vcpu, arch);
		vm_log_info(vcpu->vm, "vCPU %u: the guest ended an interrupt through paravirtual EOI", vcpu->id);
	}
}
