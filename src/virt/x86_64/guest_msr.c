/* SPDX-License-Identifier: Apache-2.0 */
/* The guest's MSRs (AMD APM vol. 2, appendix A), a deliberate policy: the syscall and segment-base
 * MSRs are the guest's own (VMLOAD/VMSAVE, not intercepted, vcpu.c); these are emulated; every
 * other MSR raises #GP in the guest, as on a CPU that does not have it.
 *   APIC_BASE      the local APIC at 0xfee00000, enabled, BSP flag on vCPU 0; moving it is ignored
 *   EFER           the VMCB's copy, SVME hidden and kept set
 *   PAT            the VMCB's G_PAT (15.25.8)
 *   TSC            reads the TSC plus the VMCB offset; a write moves the offset
 *   TSC_DEADLINE   the local APIC timer in TSC-deadline mode
 *   MISC_ENABLE    reads fast strings only; writes ignored
 *   MTRRs          read as "none, write-back default"; writes ignored (NPT types rule)
 *   KVM's pvclock MSRs 0x4b564d00/01 (guest_pvclock.c) and PV EOI MSR 0x4b564d04 (guest_pv_eoi.c)
 *   NB_CFG         (0xc001001f) reads 0, writes ignored, as KVM answers it: Linux's PCI code sets
 *                  its EnableCf8ExtCfg bit on every AMD CPU that comes online (arch/x86/pci/
 *                  amd_bus.c) and, without an answer, logs an "unchecked MSR access error"
 *   a few status MSRs Linux probes (PLATFORM_ID, UCODE_REV, HWCR, SYSCFG...) read as 0. */
#include "virt_impl/guest.h"
#include "arch_impl/msr.h"
#include "virt_impl/svm.h"
#include "virt_impl/vapic.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define MSR_TSC 0x10
#define MSR_PLATFORM_ID 0x17
#define MSR_MTRR_CAP 0xfe
#define MSR_MCG_CAP 0x179
#define MSR_MCG_STATUS 0x17a
#define MSR_MISC_ENABLE 0x1a0
#define MSR_PAT 0x277
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_UCODE_REV 0x8b
#define MSR_SYSCFG 0xc0010010
#define MSR_HWCR 0xc0010015
#define MSR_AMD64_NB_CFG 0xc001001f
#define MSR_TSC_AUX 0xc0000103
#define EFER_GUEST_WRITABLE 0xd01ULL /* SCE, LME, LMA, NXE */
#define LAPIC_BASE 0xfee00000ULL

bool x86_guest_rdmsr(struct vcpu *vcpu, uint32_t msr, uint64_t *value)
{
	struct vmcb *v = vcpu->arch.vmcb;
	if (x86_pvclock_rdmsr(vcpu, msr, value))
		return true;
	switch (msr) {
	case MSR_KVM_PV_EOI_EN:
		*value = vcpu->arch.pv_eoi_msr;
		return true;
	case MSR_APIC_BASE:
		*value = LAPIC_BASE | MSR_APIC_BASE_ENABLE | (vcpu->id == 0 ? MSR_APIC_BASE_BSP : 0);
		return true;
	case MSR_EFER:
		*value = v->save.efer & ~MSR_EFER_SVME;
		return true;
	case MSR_PAT:
		*value = v->save.g_pat;
		return true;
	case MSR_TSC:
		*value = rdtsc() + v->control.tsc_offset;
		return true;
	case MSR_TSC_DEADLINE:
		*value = vcpu->arch.lapic ? vlapic_tsc_deadline(vcpu->arch.lapic) : 0;
		return true;
	case MSR_MISC_ENABLE:
		*value = 1; /* fast strings */
		return true;
	case MSR_MTRR_DEF_TYPE:
		*value = 0xc06; /* MTRRs enabled, fixed enabled, default write-back */
		return true;
	case MSR_MTRR_CAP: case MSR_PLATFORM_ID: case MSR_UCODE_REV: case MSR_MCG_CAP: case MSR_MCG_STATUS:
	case MSR_SYSCFG: case MSR_HWCR: case MSR_TSC_AUX: case MSR_AMD64_NB_CFG:
		*value = 0;
		return true;
	default:
		return false;
	}
}

/* Each of PAT's eight fields a memory type: UC 0, WC 1, WT 4, WP 5, WB 6, UC- 7; 2, 3 and the
 * fields' upper five bits are reserved, and writing them is #GP (APM vol. 2, 7.8.1). */
static bool pat_valid(uint64_t value)
{
	for (unsigned i = 0; i < 8; i++) {
		uint8_t type = (uint8_t)(value >> (8 * i));
		if (type > 7 || type == 2 || type == 3)
			return false;
	}
	return true;
}

bool x86_guest_wrmsr(struct vcpu *vcpu, uint32_t msr, uint64_t value)
{
	struct vmcb *v = vcpu->arch.vmcb;
	if (x86_pvclock_wrmsr(vcpu, msr, value))
		return true;
	switch (msr) {
	case MSR_KVM_PV_EOI_EN:
		return x86_pv_eoi_wrmsr(vcpu, value);
	case MSR_APIC_BASE:
		return true;
	case MSR_EFER:
		if (value & ~EFER_GUEST_WRITABLE)
			return false;
		/* LME may not change while paging is on (APM vol. 2, 14.6.1: #GP). */
		if (((value ^ v->save.efer) & MSR_EFER_LME) && (v->save.cr0 & (1ULL << 31)))
			return false;
		/* LMA follows LME once paging is on (APM vol. 2, 14.6.1). */
		if ((value & MSR_EFER_LME) && (v->save.cr0 & (1ULL << 31)))
			value |= 1ULL << 10;
		v->save.efer = value | MSR_EFER_SVME;
		return true;
	case MSR_PAT:
		if (!pat_valid(value))
			return false;
		v->save.g_pat = value;
		return true;
	case MSR_TSC:
		v->control.tsc_offset = value - rdtsc();
		return true;
	case MSR_TSC_DEADLINE:
		if (vcpu->arch.lapic)
			vlapic_set_tsc_deadline(vcpu->arch.lapic, value - v->control.tsc_offset);
		return true;
	case MSR_MISC_ENABLE: case MSR_MTRR_DEF_TYPE: case MSR_UCODE_REV: case MSR_MCG_STATUS: case MSR_TSC_AUX:
	case MSR_AMD64_NB_CFG:
		return true;
	default:
		if (msr >= 0x200 && msr < 0x280) /* variable and fixed MTRRs: NPT memory types rule */
			return true;
		return false;
	}
}
