/* The PC every x86 VM gets besides what its config lists: local APICs and an IOAPIC (the VM's
 * interrupt controller), and the legacy ports for power-off, reset and the masked 8259s. Their
 * memory is freed with the VM's other devices (vm_release_devices). */
#include "arch_impl/guest.h"
#include "vdev/x86_apic.h"
#include "vdev/x86_pc.h"
#include "vmm/vm.h"
#include "kernel/log.h"

int x86_platform_create(struct vm *vm)
{
	int err = x86_apic_create(vm);
	if (!err)
		err = x86_pc_devices_create(vm);
	if (err < 0)
		log_error("VM[%u] %s: cannot create the PC platform devices: %d", vm->id, vm->name, err);
	return err;
}

void x86_platform_destroy(struct vm *vm)
{
	(void)vm; /* the devices go with vm_release_devices */
}
