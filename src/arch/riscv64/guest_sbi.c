/* SBI for guests (RISC-V SBI specification v2.0): the ecall a guest makes from VS-mode comes
 * here as scause 10 (privileged spec 20211203, 8.6.1). The call is a7 = extension id, a6 =
 * function id, a0-a5 arguments; the answer is a0 = error, a1 = value (SBI 3.1). Each extension
 * lives in its own guest_sbi_<name>.c; unknown extensions answer SBI_ERR_NOT_SUPPORTED. */
#include "arch_impl/guest.h"
#include "arch_impl/sbi.h"
#include "vmm/hypercall.h"
#include "vmm/vcpu.h"
#include "lib/errno.h"

#define SBI_EXT_DBCN 0x4442434e
#define SBI_EXT_LEGACY_CONSOLE_GETCHAR 0x02

void guest_sbi_answer(struct vcpu *vcpu, struct vm_exit *exit, long error, long value)
{
	vcpu->arch.regs.x[10] = (uint64_t)error;
	vcpu->arch.regs.x[11] = (uint64_t)value;
	exit->reason = EXIT_NONE;
}

long guest_sbi_error_of(int64_t core_result)
{
	if (core_result == 0)
		return SBI_SUCCESS;
	return core_result == -EBUSY ? SBI_ERR_ALREADY_AVAILABLE : SBI_ERR_INVALID_PARAM;
}

bool guest_sbi_hart_in_mask(uint64_t hartid, uint64_t hart_mask, uint64_t hart_mask_base)
{
	if (hart_mask_base == UINT64_MAX)
		return true;
	if (hartid < hart_mask_base || hartid - hart_mask_base >= 64)
		return false;
	return (hart_mask >> (hartid - hart_mask_base)) & 1;
}

bool guest_sbi_extension_available(uint64_t eid)
{
	switch (eid) {
	case SBI_EXT_LEGACY_SET_TIMER:
	case SBI_EXT_LEGACY_CONSOLE_PUTCHAR:
	case SBI_EXT_LEGACY_CONSOLE_GETCHAR:
	case SBI_EXT_LEGACY_SHUTDOWN:
	case SBI_EXT_BASE:
	case SBI_EXT_TIME:
	case SBI_EXT_IPI:
	case SBI_EXT_RFENCE:
	case SBI_EXT_HSM:
	case SBI_EXT_SRST:
	case SBI_EXT_DBCN:
	case HYPERCALL_SBI_EXTENSION:
		return true;
	default:
		return false;
	}
}

void guest_sbi_handle(struct vcpu *vcpu, struct vm_exit *exit)
{
	const struct guest_sbi_call *call = (const struct guest_sbi_call *)&vcpu->arch.regs.x[10];
	switch (call->eid) {
	case SBI_EXT_BASE: guest_sbi_base(vcpu, call, exit); return;
	case SBI_EXT_TIME: guest_sbi_time(vcpu, call, exit); return;
	case SBI_EXT_IPI: guest_sbi_ipi(vcpu, call, exit); return;
	case SBI_EXT_RFENCE: guest_sbi_rfence(vcpu, call, exit); return;
	case SBI_EXT_HSM: guest_sbi_hsm(vcpu, call, exit); return;
	case SBI_EXT_SRST: guest_sbi_srst(vcpu, call, exit); return;
	case SBI_EXT_DBCN: guest_sbi_dbcn(vcpu, call, exit); return;
	case HYPERCALL_SBI_EXTENSION: guest_sbi_hypercall(vcpu, call, exit); return;
	case SBI_EXT_LEGACY_SET_TIMER:
	case SBI_EXT_LEGACY_CONSOLE_PUTCHAR:
	case SBI_EXT_LEGACY_CONSOLE_GETCHAR:
	case SBI_EXT_LEGACY_SHUTDOWN:
		guest_sbi_legacy(vcpu, call, exit);
		return;
	default:
		guest_sbi_answer(vcpu, exit, SBI_ERR_NOT_SUPPORTED, 0);
		return;
	}
}
