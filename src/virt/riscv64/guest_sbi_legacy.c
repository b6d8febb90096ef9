/* SPDX-License-Identifier: Apache-2.0 */
/* SBI legacy extensions for guests (SBI v2.0, chapter 5, deprecated but still used by early
 * consoles): set_timer (0x00), console_putchar (0x01), console_getchar (0x02: no input yet, -1)
 * and shutdown (0x08). They return a single value in a0 (5.1). */
#include "virt_impl/guest.h"
#include "arch_impl/sbi.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define LEGACY_CONSOLE_GETCHAR 0x02

/* The legacy calls return one value in a0 (5.1); a1 is left as the guest had it. */
static enum vm_exit_result answer(struct vcpu *vcpu, long value)
{
	return guest_sbi_answer(vcpu, value, (long)vcpu->arch.regs.x[11]);
}

enum vm_exit_result guest_sbi_legacy(struct vcpu *vcpu, const struct guest_sbi_call *call, struct vm_exit *exit)
{
	switch (call->eid) {
	case SBI_EXT_LEGACY_SET_TIMER:
		riscv_vcpu_set_timer(vcpu, call->args[0]);
		return answer(vcpu, SBI_SUCCESS);
	case SBI_EXT_LEGACY_CONSOLE_PUTCHAR:
		vm_console_putc(vcpu->vm, (char)call->args[0]);
		return answer(vcpu, SBI_SUCCESS);
	case LEGACY_CONSOLE_GETCHAR:
		vm_console_flush(vcpu->vm); /* a prompt waiting for input must be visible */
		return answer(vcpu, -1);
	case SBI_EXT_LEGACY_SHUTDOWN:
		exit->reason = EXIT_SYSTEM_OFF;
		return guest_sbi_to_core(vcpu);
	default:
		return answer(vcpu, SBI_ERR_NOT_SUPPORTED);
	}
}
