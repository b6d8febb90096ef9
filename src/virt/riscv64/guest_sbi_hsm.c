/* SPDX-License-Identifier: Apache-2.0 */
/* SBI HSM extension for guests (SBI v2.0, chapter 9): hart_start becomes the core's CPU_ON
 * (the started hart gets a0 = its hart id, a1 = opaque), hart_stop its CPU_OFF, hart_suspend a
 * wait for an interrupt (retentive: returns; non-retentive: resumes at resume_addr). */
#include "virt_impl/guest.h"
#include "arch_impl/sbi.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define HSM_HART_START 0
#define HSM_HART_STOP 1
#define HSM_HART_GET_STATUS 2
#define HSM_HART_SUSPEND 3
#define HSM_STATE_STARTED 0
#define HSM_STATE_STOPPED 1
#define HSM_STATE_START_PENDING 2
#define HSM_SUSPEND_RETENTIVE_DEFAULT 0x00000000u
#define HSM_SUSPEND_NON_RETENTIVE_DEFAULT 0x80000000u

static long hart_status(struct vcpu *target)
{
	if (__atomic_load_n(&target->requests, __ATOMIC_ACQUIRE) & VCPU_REQUEST_START)
		return HSM_STATE_START_PENDING;
	return target->state == VCPU_OFF ? HSM_STATE_STOPPED : HSM_STATE_STARTED;
}

enum vm_exit_result guest_sbi_hsm(struct vcpu *vcpu, const struct guest_sbi_call *call, struct vm_exit *exit)
{
	const uint64_t *arg = call->args;
	switch (call->fid) {
	case HSM_HART_START:
		exit->reason = EXIT_CPU_ON;
		exit->cpu_on = (struct vm_exit_cpu_on){ .target = arg[0], .entry = arg[1], .context = arg[2] };
		return guest_sbi_to_core(vcpu);
	case HSM_HART_STOP:
		exit->reason = EXIT_CPU_OFF;
		return guest_sbi_to_core(vcpu);
	case HSM_HART_GET_STATUS: {
		struct vcpu *target = vcpu_find_by_guest_id(vcpu->vm, arg[0]);
		if (!target)
			return guest_sbi_answer(vcpu, SBI_ERR_INVALID_PARAM, 0);
		return guest_sbi_answer(vcpu, SBI_SUCCESS, hart_status(target));
	}
	case HSM_HART_SUSPEND:
		if (arg[0] != HSM_SUSPEND_RETENTIVE_DEFAULT && arg[0] != HSM_SUSPEND_NON_RETENTIVE_DEFAULT)
			return guest_sbi_answer(vcpu, SBI_ERR_INVALID_PARAM, 0);
		guest_sbi_set_result(vcpu, SBI_SUCCESS, 0);
		if (arg[0] == HSM_SUSPEND_NON_RETENTIVE_DEFAULT) {
			vcpu->arch.resume_pending = true;
			vcpu->arch.resume_addr = arg[1];
			vcpu->arch.resume_opaque = arg[2];
		}
		exit->reason = EXIT_HALT;
		return guest_sbi_to_core(vcpu);
	default:
		return guest_sbi_answer(vcpu, SBI_ERR_NOT_SUPPORTED, 0);
	}
}
