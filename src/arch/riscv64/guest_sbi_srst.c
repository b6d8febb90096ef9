/* SBI SRST extension for guests (SBI v2.0, chapter 10): shutdown stops the VM, cold and warm
 * reboot reset it (the core reloads its images and boots it again). */
#include "arch_impl/guest.h"
#include "arch_impl/sbi.h"

#define SRST_SYSTEM_RESET 0
#define SRST_TYPE_SHUTDOWN 0
#define SRST_TYPE_COLD_REBOOT 1
#define SRST_TYPE_WARM_REBOOT 2

void guest_sbi_srst(struct vcpu *vcpu, const struct guest_sbi_call *call, struct vm_exit *exit)
{
	if (call->fid != SRST_SYSTEM_RESET) {
		guest_sbi_answer(vcpu, exit, SBI_ERR_NOT_SUPPORTED, 0);
		return;
	}
	/* reset_type is 32 bits wide (10.1); the reason is informational. */
	switch ((uint32_t)call->args[0]) {
	case SRST_TYPE_SHUTDOWN:
		exit->reason = EXIT_SYSTEM_OFF;
		return;
	case SRST_TYPE_COLD_REBOOT:
	case SRST_TYPE_WARM_REBOOT:
		exit->reason = EXIT_SYSTEM_RESET;
		return;
	default:
		guest_sbi_answer(vcpu, exit, SBI_ERR_INVALID_PARAM, 0);
		return;
	}
}
