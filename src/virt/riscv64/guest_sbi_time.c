/* SPDX-License-Identifier: Apache-2.0 */
/* SBI TIME extension for guests (SBI v2.0, chapter 6): set_timer programs the vCPU's next timer
 * interrupt and clears the pending one; vstimecmp with Sstc, an emulated timer through hvip.VSTIP
 * otherwise (vcpu.c). */
#include "virt_impl/guest.h"
#include "arch_impl/sbi.h"

enum vm_exit_result guest_sbi_time(struct vcpu *vcpu, const struct guest_sbi_call *call, struct vm_exit *exit)
{
	if (call->fid != 0) {
		return guest_sbi_answer(vcpu, SBI_ERR_NOT_SUPPORTED, 0);
	}
	riscv_vcpu_set_timer(vcpu, call->args[0]);
	return guest_sbi_answer(vcpu, SBI_SUCCESS, 0);
}
