/* SPDX-License-Identifier: Apache-2.0 */
/* SBI for guests (RISC-V SBI specification v2.0): the ecall a guest makes from VS-mode comes
 * here as scause 10 (privileged spec 20211203, 8.6.1). The call is a7 = extension id, a6 =
 * function id, a0-a5 arguments; the answer is a0 = error, a1 = value (SBI 3.1). Each extension
 * lives in its own guest_sbi_<name>.c; unknown extensions answer SBI_ERR_NOT_SUPPORTED. */
#include "virt_impl/guest.h"
#include "arch_impl/csr.h"
#include "arch_impl/sbi.h"
#include "vmm/hypercall.h"
#include "vmm/vcpu.h"
#include "lib/errno.h"

#define SBI_EXT_DBCN 0x4442434e
#define SBI_EXT_LEGACY_CONSOLE_GETCHAR 0x02

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

/* The ecall is done: on to the next instruction, and back into the guest from the exit path
 * unless the core's loop must see a request first (riscv_vcpu_resume_from_exit). */
enum vm_exit_result guest_sbi_answer(struct vcpu *vcpu, long error, long value)
{
	guest_sbi_set_result(vcpu, error, value);
	vcpu_count_exit(vcpu, EXIT_NONE);
	csr_write(sepc, csr_read(sepc) + 4);
	return riscv_vcpu_resume_from_exit(vcpu);
}

enum vm_exit_result guest_sbi_to_core(struct vcpu *vcpu)
{
	struct vcpu_arch *a = &vcpu->arch;
	a->scause = EXC_ECALL_VS; /* privileged spec 8.6.1: cause 10, so the guest was in VS-mode */
	a->regs.sepc = csr_read(sepc);
	a->regs.spp = SSTATUS_SPP;
	a->pc_advance = 4;
	a->exit_state = GUEST_EXIT_DECODED;
	/* EXIT_UNCLAIMED, hidden from the optimizer: seen through (LTO), the constant would turn the
	 * handlers' tail calls in riscv_guest_exit_sbi into calls and give that a stack frame on every
	 * path (4 more instructions on the null SBI call, measured). */
	enum vm_exit_result leave = EXIT_UNCLAIMED;
	__asm__("" : "+r"(leave));
	return leave;
}

/* Called by guest_entry.S for an ecall from VS-mode, on the hypervisor's stack with interrupts
 * masked and only the guest registers a C call may clobber saved (see riscv_guest_exit_mmio in
 * vcpu.c). Returns EXIT_HANDLED to resume the guest from the exit path, EXIT_UNCLAIMED to leave to
 * arch_vcpu_run. The small extension ids (legacy 0-8, BASE 0x10) are told from the four-character
 * ones with one compare. */
enum vm_exit_result riscv_guest_exit_sbi(struct guest_regs *regs)
{
	struct vcpu *vcpu = container_of(container_of(regs, struct vcpu_arch, regs), struct vcpu, arch);
	const struct guest_sbi_call *call = (const struct guest_sbi_call *)&regs->x[10];
	struct vm_exit *exit = vcpu->arch.exit;
	uint64_t eid = call->eid;
	if (eid <= SBI_EXT_BASE) {
		if (eid == SBI_EXT_BASE)
			return guest_sbi_base(vcpu, call, exit);
		switch (eid) {
		case SBI_EXT_LEGACY_SET_TIMER:
		case SBI_EXT_LEGACY_CONSOLE_PUTCHAR:
		case SBI_EXT_LEGACY_CONSOLE_GETCHAR:
		case SBI_EXT_LEGACY_SHUTDOWN:
			return guest_sbi_legacy(vcpu, call, exit);
		default:
			return guest_sbi_answer(vcpu, SBI_ERR_NOT_SUPPORTED, 0);
		}
	}
	switch (eid) {
	case SBI_EXT_TIME: return guest_sbi_time(vcpu, call, exit);
	case SBI_EXT_IPI: return guest_sbi_ipi(vcpu, call, exit);
	case SBI_EXT_RFENCE: return guest_sbi_rfence(vcpu, call, exit);
	case SBI_EXT_HSM: return guest_sbi_hsm(vcpu, call, exit);
	case SBI_EXT_SRST: return guest_sbi_srst(vcpu, call, exit);
	case SBI_EXT_DBCN: return guest_sbi_dbcn(vcpu, call, exit);
	case HYPERCALL_SBI_EXTENSION: return guest_sbi_hypercall(vcpu, call, exit);
	default: return guest_sbi_answer(vcpu, SBI_ERR_NOT_SUPPORTED, 0);
	}
}
