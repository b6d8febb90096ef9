/* riscv64's own devices of a VM (arch/vm.h): the emulated PLIC, when the config lists an
 * interrupt controller (emu_type 0x1). The device tree a VM without dtb_path gets is built by
 * guest_dtb.c. */
#include "virt/arch_vm.h"
#include "kernel/log.h"
#include "lib/errno.h"
#include "vdev/models.h"
#include "vmm/virq.h"
#include "vmm/vm.h"

int arch_vm_create_devices(struct vm *vm)
{
	const struct vm_config *config = vm->config;
	for (size_t i = 0; i < config->devices.emu_device_count; i++) {
		const struct vm_emu_device *emu = &config->devices.emu_devices[i];
		if (emu->emu_type != VM_EMU_INTERRUPT_CONTROLLER)
			continue;
		struct vdev *dev = vdev_vplic_create(vm, emu);
		if (!dev)
			return -ENOMEM;
		struct vdev *conflict = NULL;
		int err = vdev_bus_add(&vm->mmio_bus, dev, &conflict);
		if (err < 0) {
			vm_log_error(vm, "vPLIC at %#llx overlaps '%s'",
				     (unsigned long long)emu->base_gpa, conflict ? conflict->name : "?");
			dev->ops->destroy(dev);
			vm_set_irqchip(vm, NULL, NULL);
			return err;
		}
		vm_log_info(vm, "vPLIC at %#llx, %u contexts",
			    (unsigned long long)emu->base_gpa, 2 * vm->vcpu_count);
	}
	return 0;
}
