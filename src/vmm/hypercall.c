/* SPDX-License-Identifier: Apache-2.0 */
/* Hypercalls (see vmm/hypercall.h, docs/hypercalls.md): the IVC calls go to vmm/ivc.c; an
 * unknown number answers "not supported". */
#include "vmm/hypercall.h"
#include "vmm/exit.h"
#include "vmm/ivc.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "kernel/log.h"

#define TESSERA_VERSION_NUMBER ((0 << 16) | (1 << 8) | 0)
#define DEBUG_LOG_LINES_PER_VM 16

/* Always inlined: every arch's exit path calls it for each call it answers there, and LTO called it
 * out of line once a fifth case came (x86's VMMCALL round trip 106 -> 121 instructions). */
__attribute__((always_inline)) bool hypercall_answer_in_place(const struct vcpu *vcpu, uint64_t nr, int64_t *result)
{
	switch (nr) {
	case HYPERCALL_TESSERA_VERSION:
		*result = TESSERA_VERSION_NUMBER;
		return true;
	case HYPERCALL_TESSERA_VM_ID:
		*result = vcpu->vm->id;
		return true;
	case HYPERCALL_TESSERA_VCPU_ID:
		*result = vcpu->id;
		return true;
	case HYPERCALL_TESSERA_BOOT_COUNT:
		*result = vcpu->vm->boot_count;
		return true;
	case HYPERCALL_TESSERA_EXIT_COUNT:
		/* For a guest to see what something it does costs: between two calls it grows by one
		 * (one of the calls) plus the exits in between. */
		*result = (int64_t)vcpu->exits_total;
		return true;
	default:
		return false;
	}
}

void hypercall_handle(struct vcpu *vcpu, struct vm_exit_hypercall *call)
{
	struct vm *vm = vcpu->vm;
	if (hypercall_answer_in_place(vcpu, call->nr, &call->result) || ivc_hypercall(vcpu, call))
		return;
	switch (call->nr) {
	case HYPERCALL_TESSERA_PUTC:
		vm_console_putc(vm, (char)call->args[0]);
		call->result = 0;
		return;
	case HYPERCALL_HYPERVISOR_DEBUG:
		/* A guest may call it in a loop: its first lines are logged, not all. */
		if (vm_log_budget(vm, &vm->debug_log_lines, DEBUG_LOG_LINES_PER_VM, "debug hypercalls"))
			vm_log_info(vm, "vCPU %u: debug hypercall (%#llx, %#llx)", vcpu->id,
				    (unsigned long long)call->args[0], (unsigned long long)call->args[1]);
		call->result = 0;
		return;
	default:
		log_debug("VM[%u] vCPU %u: hypercall %#llx not supported", vm->id, vcpu->id,
			  (unsigned long long)call->nr);
		call->result = HYPERCALL_NOT_SUPPORTED;
		return;
	}
}
