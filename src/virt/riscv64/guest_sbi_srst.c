/* SPDX-License-Identifier: Apache-2.0 */
/* SBI SRST extension for guests (SBI v2.0, chapter 10): shutdown stops the VM, cold and warm
 * reboot reset it (the core reloads its images and boots it again). */
#include "virt_impl/guest.h"
#include "arch_impl/sbi.h"

#define SRST_SYSTEM_RESET 0
#define SRST_TYPE_SHUTDOWN 0
#define SRST_TYPE_COLD_REBOOT 1
#define SRST_TYPE_WARM_REBOOT 2

enum vm_exit_result guest_sbi_srst(struct vcpu *vcpu, const struct guest_sbi_call *call, struct vm_exit *exit)
{
	if (call->fid != SRST_SYSTEM_RESET) {
		return guest_sbi_answer(vcpu, SBI_ERR_NOT_SUPPORTED, 0);
	}
	/* reset_type is 32 bits wide (10.1); the reason is informational. */
	switch ((uint32_t)call->args[0]) {
	case SRST_TYPE_SHUTDOWN:
		exit->reason = EXIT_SYSTEM_OFF;
		return guest_sbi_to_core(vcpu);
	case SRST_TYPE_COLD_REBOOT:
	case SRST_TYPE_WARM_REBOOT:
		exit->reason = EXIT_SYSTEM_RESET;
		return guest_sbi_to_core(vcpu);
	default:
		return guest_sbi_answer(vcpu, SBI_ERR_INVALID_PARAM, 0);
	}
}
