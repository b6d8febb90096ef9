/* SPDX-License-Identifier: Apache-2.0 */
/* Tessera (and AxVisor) hypercalls on riscv64: SBI extension 0x485643 ("HVC") with the hypercall
 * number as function id and arguments in a0-a5 (vmm/hypercall.h). The core handles them; the
 * answer is a0 = SBI_SUCCESS, a1 = the result (arch_vcpu_finish_exit). */
#include "virt_impl/guest.h"

enum vm_exit_result guest_sbi_hypercall(struct vcpu *vcpu, const struct guest_sbi_call *call, struct vm_exit *exit)
{
	exit->reason = EXIT_HYPERCALL;
	exit->hypercall = (struct vm_exit_hypercall){ .nr = call->fid };
	for (int i = 0; i < 6; i++)
		exit->hypercall.args[i] = call->args[i];
	return guest_sbi_to_core(vcpu);
}
