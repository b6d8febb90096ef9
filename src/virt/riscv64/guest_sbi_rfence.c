/* SPDX-License-Identifier: Apache-2.0 */
/* SBI RFENCE extension for guests (SBI v2.0, chapter 8): remote FENCE.I and SFENCE.VMA reach only
 * harts of the caller's VM; each target flushes its whole VS-stage TLB for the VM's VMID (a
 * superset of any address or ASID range asked for) and its instruction cache before it next runs
 * guest code. The HFENCE functions are for guests that are hypervisors themselves: not offered. */
#include "virt_impl/guest.h"
#include "arch_impl/sbi.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define RFENCE_FENCE_I 0
#define RFENCE_SFENCE_VMA 1
#define RFENCE_SFENCE_VMA_ASID 2

enum vm_exit_result guest_sbi_rfence(struct vcpu *vcpu, const struct guest_sbi_call *call, struct vm_exit *exit)
{
	if (call->fid != RFENCE_FENCE_I && call->fid != RFENCE_SFENCE_VMA && call->fid != RFENCE_SFENCE_VMA_ASID) {
		return guest_sbi_answer(vcpu, SBI_ERR_NOT_SUPPORTED, 0);
	}
	struct vm *vm = vcpu->vm;
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		if (guest_sbi_hart_in_mask(vm->vcpus[i]->guest_id, call->args[0], call->args[1]))
			riscv_vcpu_remote_fence(vcpu, vm->vcpus[i]);
	return guest_sbi_answer(vcpu, SBI_SUCCESS, 0);
}
