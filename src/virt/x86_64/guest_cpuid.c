/* SPDX-License-Identifier: Apache-2.0 */
/* The guest's CPUID (AMD APM vol. 3, appendix E; CPUID Specification #25481): the host's answers,
 * filtered so the guest sees a coherent machine of its own: SVM and its leaf hidden (no nested
 * virtualization), no MONITOR/MWAIT (intercepted), no x2APIC, no performance counters or
 * hardware P-states it cannot use, an always-running APIC timer (ARAT), the hypervisor bit set
 * with Tessera's signature at 0x40000000, a KVM-compatible paravirtual clock at 0x40000100
 * (guest_pvclock.c), and leaf 1's APIC id and logical-CPU count those of this vCPU and VM. */
#include "virt_impl/guest.h"
#include "arch_impl/msr.h"
#include "virt_impl/svm.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define LEAF1_ECX_MONITOR (1u << 3)
#define LEAF1_ECX_VMX (1u << 5)
#define LEAF1_ECX_X2APIC (1u << 21)
#define LEAF1_ECX_OSXSAVE (1u << 27)
#define CR4_OSXSAVE (1ull << 18)
#define LEAF1_ECX_TSC_DEADLINE (1u << 24)
#define LEAF1_ECX_HYPERVISOR (1u << 31)
#define LEAF1_EDX_HTT (1u << 28)
#define LEAF6_EAX_ARAT (1u << 2)  /* APIC timer always running (Intel SDM vol. 2, CPUID leaf 06H) */
#define EXT1_ECX_SVM (1u << 2)
#define EXT1_ECX_PERFCTR_CORE (1u << 23)
#define EXT1_ECX_TOPOEXT (1u << 22)
#define HYPERVISOR_LEAF 0x40000000u
/* The KVM-compatible paravirtual clock (guest_pvclock.c) and end of interrupt (guest_pv_eoi.c)
 * at the next hypervisor base: features CLOCKSOURCE2 (bit 3), PV_EOI (bit 6) and
 * CLOCKSOURCE_STABLE_BIT (bit 24) only (Linux cpuid.rst). */
#define PV_CLOCK_LEAF 0x40000100u
#define PV_CLOCK_FEATURES ((1u << 3) | (1u << 6) | (1u << 24))

void x86_guest_cpuid(struct vcpu *vcpu)
{
	uint64_t *regs = vcpu->arch.regs;
	uint32_t leaf = (uint32_t)regs[X86_RAX], subleaf = (uint32_t)regs[X86_RCX];
	struct cpuid_regs r = { 0, 0, 0, 0 };
	if (leaf == HYPERVISOR_LEAF) {
		r.eax = HYPERVISOR_LEAF; /* the highest hypervisor leaf */
		/* "TesseraHV\0\0\0" in ebx, ecx, edx, little-endian: "Tess", "eraH", "V" */
		r.ebx = 0x73736554;
		r.ecx = 0x48617265;
		r.edx = 0x00000056;
	} else if (leaf == PV_CLOCK_LEAF) {
		r.eax = PV_CLOCK_LEAF + 1;
		r.ebx = 0x4b4d564b; /* "KVMKVMKVM\0\0\0" */
		r.ecx = 0x564b4d56;
		r.edx = 0x4d;
	} else if (leaf == PV_CLOCK_LEAF + 1) {
		r.eax = PV_CLOCK_FEATURES;
	} else if (leaf > HYPERVISOR_LEAF && leaf < 0x80000000u) {
		/* no other hypervisor leaves */
	} else {
		r = cpuid(leaf, subleaf);
	}
	switch (leaf) {
	case 1:
		r.ecx &= ~(LEAF1_ECX_MONITOR | LEAF1_ECX_VMX | LEAF1_ECX_X2APIC);
		r.ecx |= LEAF1_ECX_HYPERVISOR | LEAF1_ECX_TSC_DEADLINE;
		/* OSXSAVE mirrors CR4.OSXSAVE: the guest's, not the hypervisor's (guest_fpu.c sets that). */
		r.ecx &= ~LEAF1_ECX_OSXSAVE;
		if (vcpu->arch.vmcb->save.cr4 & CR4_OSXSAVE)
			r.ecx |= LEAF1_ECX_OSXSAVE;
		r.ebx = (r.ebx & 0x0000ffffu) | ((uint32_t)vcpu->guest_id << 24) | (vcpu->vm->vcpu_count << 16);
		r.edx |= LEAF1_EDX_HTT;
		break;
	case 5: /* MONITOR/MWAIT */
		r = (struct cpuid_regs){ 0, 0, 0, 0 };
		break;
	case 6: /* power management: only ARAT, which the local APIC model has (its timer is a host
		 * timer event, which no guest idle state stops). Without it Linux keeps the PIT as its
		 * boot clock-event device: some 250 IRQ 0 interrupts a second until the APIC timer takes
		 * over, each an exit for the interrupt and one for its EOI. */
		r = (struct cpuid_regs){ LEAF6_EAX_ARAT, 0, 0, 0 };
		break;
	case 0xa: /* architectural performance monitoring */
		r = (struct cpuid_regs){ 0, 0, 0, 0 };
		break;
	case 0x80000001u:
		r.ecx &= ~(EXT1_ECX_SVM | EXT1_ECX_PERFCTR_CORE | EXT1_ECX_TOPOEXT);
		break;
	case 0x80000008u:
		r.ecx = (r.ecx & ~0xffu) | ((vcpu->vm->vcpu_count - 1) & 0xff); /* NC: cores - 1 */
		break;
	case 0x8000000au: /* SVM features */
		r = (struct cpuid_regs){ 0, 0, 0, 0 };
		break;
	default:
		break;
	}
	regs[X86_RAX] = r.eax;
	regs[X86_RBX] = r.ebx;
	regs[X86_RCX] = r.ecx;
	regs[X86_RDX] = r.edx;
}
