/* Hypercalls (see vmm/hypercall.h). The IVC channel calls arrive with inter-VM communication;
 * until then they answer "not supported", as does any unknown number. */
#include "vmm/hypercall.h"
#include "vmm/exit.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "kernel/log.h"

#define TESSERA_VERSION_NUMBER ((0 << 16) | (1 << 8) | 0)

void hypercall_handle(struct vcpu *vcpu, struct vm_exit_hypercall *call)
{
	struct vm *vm = vcpu->vm;
	switch (call->nr) {
	case HYPERCALL_TESSERA_VERSION:
		call->result = TESSERA_VERSION_NUMBER;
		return;
	case HYPERCALL_TESSERA_VM_ID:
		call->result = vm->id;
		return;
	case HYPERCALL_TESSERA_VCPU_ID:
		call->result = vcpu->id;
		return;
	case HYPERCALL_TESSERA_PUTC:
		vm_console_putc(vm, (char)call->args[0]);
		call->result = 0;
		return;
	case HYPERCALL_TESSERA_BOOT_COUNT:
		call->result = vm->boot_count;
		return;
	case HYPERCALL_HYPERVISOR_DEBUG:
		log_info("VM[%u] vCPU %u: debug hypercall (%#llx, %#llx)", vm->id, vcpu->id,
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
