/* SPDX-License-Identifier: Apache-2.0 */
/* SBI IPI extension for guests (SBI v2.0, chapter 7): send_ipi raises the supervisor software
 * interrupt (VSSIP) on the named harts of the caller's own VM; hart ids outside it are invalid. */
#include "virt_impl/guest.h"
#include "arch_impl/sbi.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

enum vm_exit_result guest_sbi_ipi(struct vcpu *vcpu, const struct guest_sbi_call *call, struct vm_exit *exit)
{
	if (call->fid != 0) {
		return guest_sbi_answer(vcpu, SBI_ERR_NOT_SUPPORTED, 0);
	}
	uint64_t mask = call->args[0], base = call->args[1];
	struct vm *vm = vcpu->vm;
	if (base != UINT64_MAX && mask && (base >= vm->vcpu_count || (base + 64 > vm->vcpu_count && (mask >> (vm->vcpu_count - base))))) {
		return guest_sbi_answer(vcpu, SBI_ERR_INVALID_PARAM, 0);
	}
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		if (guest_sbi_hart_in_mask(vm->vcpus[i]->guest_id, mask, base))
			riscv_vcpu_raise_soft_irq(vm->vcpus[i]);
	return guest_sbi_answer(vcpu, SBI_SUCCESS, 0);
}
