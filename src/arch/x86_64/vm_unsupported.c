/* The guest half of the arch contract (arch/vm.h) before this arch can run guests: creating a VM
 * fails with -ENOTSUP, so a configured VM is reported and skipped while the hypervisor and other
 * VMs carry on. Replaced by the arch's virtualization support. */
#include "arch/vm.h"
#include "kernel/log.h"
#include "lib/errno.h"

int arch_vm_init(struct vm *vm)
{
	(void)vm;
	log_error("guests are not supported on " ARCH_NAME " yet");
	return -ENOTSUP;
}

void arch_vm_destroy(struct vm *vm) { (void)vm; }
int arch_vm_create_devices(struct vm *vm) { (void)vm; return 0; }
bool arch_kernel_layout(const void *header, size_t size, struct kernel_layout *layout)
{
	(void)header; (void)size; (void)layout;
	return false;
}
int arch_vm_build_dtb(struct vm *vm, const struct vm_boot_params *params, void *buf, size_t size)
{
	(void)vm; (void)params; (void)buf; (void)size;
	return -ENOTSUP;
}
int arch_gpt_map(struct vm *vm, gpa_t gpa, hpa_t hpa, uint64_t size, unsigned permissions)
{
	(void)vm; (void)gpa; (void)hpa; (void)size; (void)permissions;
	return -ENOTSUP;
}
int arch_gpt_unmap(struct vm *vm, gpa_t gpa, uint64_t size) { (void)vm; (void)gpa; (void)size; return -ENOTSUP; }
int arch_gpt_translate(struct vm *vm, gpa_t gpa, hpa_t *hpa) { (void)vm; (void)gpa; (void)hpa; return -ENOTSUP; }
int arch_vcpu_init(struct vcpu *vcpu, gpa_t entry, uint64_t arg) { (void)vcpu; (void)entry; (void)arg; return -ENOTSUP; }
void arch_vcpu_load(struct vcpu *vcpu) { (void)vcpu; }
void arch_vcpu_put(struct vcpu *vcpu) { (void)vcpu; }
void arch_vcpu_run(struct vcpu *vcpu, struct vm_exit *exit) { (void)vcpu; exit->reason = EXIT_SYSTEM_OFF; }
void arch_vcpu_finish_exit(struct vcpu *vcpu, const struct vm_exit *exit) { (void)vcpu; (void)exit; }
void arch_vcpu_inject_fault(struct vcpu *vcpu, const struct vm_exit *exit) { (void)vcpu; (void)exit; }
bool arch_vcpu_irq_pending(struct vcpu *vcpu) { (void)vcpu; return false; }
uint64_t arch_vcpu_guest_id(unsigned vcpu_index) { return vcpu_index; }
