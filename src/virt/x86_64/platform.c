/* SPDX-License-Identifier: Apache-2.0 */
/* The PC every x86 VM gets besides what its config lists and its interrupt controller (vapic.c,
 * arch_vm_create_irqchip): the legacy ports for power-off, reset and the masked 8259s, the RTC and
 * the PIT (arch_vm_create_platform, at the end of vm_setup_devices). Their memory is freed with
 * the VM's other devices (vm_release_devices). */
#include "virt/arch_vm.h"
#include "virt_impl/guest.h"
#include "virt_impl/vapic.h"
#include "vdev/x86_pc.h"
#include "vdev/virtio_pci.h"
#include "vmm/vm.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "vmm/config.h"

/* The VM's local APICs and IOAPIC sit where the PC's are (vapic.h). */
const char *arch_vm_irqchip_window(gpa_t gpa, uint64_t size)
{
	if (gpa >= X86_LAPIC_BASE && gpa + size <= X86_LAPIC_BASE + PAGE_SIZE)
		return "local APIC";
	if (gpa >= X86_IOAPIC_BASE && gpa + size <= X86_IOAPIC_BASE + PAGE_SIZE)
		return "IOAPIC";
	return NULL;
}

/* x86 guests find virtio devices on PCI (virtio_pci.c): the config's window is the BAR and its
 * interrupt the INTx line (a GSI of the VM's IOAPIC). */
struct vdev *arch_vm_virtio_transport(struct vm *vm, struct virtio_vdev *v, const struct vm_emu_device *emu)
{
	const char *why = "";
	struct vdev *dev = virtio_pci_create(vm, v, emu->base_gpa, emu->length, (unsigned)emu->irq, &why);
	if (!dev)
		vm_log_error(vm, "%s:%u: '%s': %s", vm->config->file_name, emu->line, emu->name, why);
	return dev;
}

/* Passthrough ports ("port:" names, docs/config.md): the VM gets its own I/O permission map
 * (APM vol. 2, 15.10.1: one bit per port, set = intercept) with those ports' bits clear. */
static int grant_ports(struct vm *vm)
{
	const struct vm_config *config = vm->config;
	for (size_t i = 0; i < config->devices.passthrough_device_count; i++) {
		const struct vm_passthrough_device *pt = &config->devices.passthrough_devices[i];
		if (pt->is_device_tree_path || !config_name_is_port(pt->name))
			continue;
		if (!vm->arch.io_permission_map) {
			paddr_t pa = frame_alloc(3, 1);
			if (!pa)
				return -ENOMEM;
			vm->arch.io_permission_map = phys_to_virt(pa);
			memset(vm->arch.io_permission_map, 0xff, 3 * PAGE_SIZE);
		}
		for (uint64_t port = pt->base_gpa; port < pt->base_gpa + pt->length && port < 0x10000; port++)
			vm->arch.io_permission_map[port / 8] &= (uint8_t)~(1u << (port % 8));
		vm_log_info(vm, "ports %#llx-%#llx passed through (%s)",
			    (unsigned long long)pt->base_gpa, (unsigned long long)(pt->base_gpa + pt->length - 1), pt->name);
	}
	return 0;
}

int arch_vm_create_platform(struct vm *vm)
{
	int err = grant_ports(vm);
	if (!err)
		err = x86_pc_devices_create(vm);
	if (!err)
		err = x86_rtc_create(vm, x86_host_unix_time_ns() / 1000000000ULL);
	if (!err)
		err = x86_pit_create(vm);
	if (err < 0)
		vm_log_error(vm, "cannot create the PC platform devices: %d", err);
	return err;
}

void x86_platform_destroy(struct vm *vm)
{
	/* The devices go with vm_release_devices. */
	if (vm->arch.io_permission_map)
		frame_free(virt_to_phys(vm->arch.io_permission_map), 3);
	vm->arch.io_permission_map = NULL;
}

int arch_vm_build_dtb(struct vm *vm, const struct vm_boot_params *params, void *buf, size_t size)
{
	(void)vm; (void)params; (void)buf; (void)size;
	return -ENOTSUP; /* x86 guests learn their machine from ACPI and boot_params, not a device tree */
}

/* The PC's COM1: a 16550 at ports 0x3f8-0x3ff, IRQ 4. */
void arch_vm_default_console(struct vm_emu_device *console)
{
	*console = (struct vm_emu_device){ .name = "port:com1-16550", .base_gpa = 0x3f8, .length = 8, .irq = 4,
					   .emu_type = VM_EMU_CONSOLE };
}
