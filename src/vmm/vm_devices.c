/* SPDX-License-Identifier: Apache-2.0 */
/* A VM's devices from its config: passthrough windows mapped GPA = HPA (or GPA -> HPA for the
 * explicit form) as device memory, and emulated devices on the VM's MMIO bus. */
#include "vmm/vm_internal.h"
#include "vdev/models.h"
#include "virt/arch_vm.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/platform.h"
#include "lib/errno.h"
#include "lib/fdt.h"
#include "lib/string.h"

static int map_device_window(struct vm *vm, const char *what, gpa_t gpa, hpa_t hpa, uint64_t length)
{
	gpa_t start = ALIGN_DOWN(gpa, PAGE_SIZE);
	uint64_t size = ALIGN_UP(gpa + length, PAGE_SIZE) - start;
	int err = arch_gpt_map(vm, start, ALIGN_DOWN(hpa, PAGE_SIZE), size, GPT_READ | GPT_WRITE | GPT_DEVICE);
	if (err < 0)
		vm_log_error(vm, "cannot pass through %s [%#llx, +%#llx): %d", what,
			     (unsigned long long)gpa, (unsigned long long)length, err);
	return err;
}

/* ["/path/in/host/device/tree"]: every "reg" window of that host node, mapped GPA = HPA. */
static int pass_through_fdt_node(struct vm *vm, const char *path)
{
	const void *fdt = platform_boot_info ? platform_boot_info->fdt : NULL;
	int node = fdt ? fdt_path_offset(fdt, path) : -ENOENT;
	if (node < 0) {
		vm_log_error(vm, "passthrough device '%s' is not in the host device tree", path);
		return -ENOENT;
	}
	uint64_t base, size;
	for (int i = 0; fdt_get_reg(fdt, node, i, &base, &size) == 0; i++) {
		int err = map_device_window(vm, path, base, base, size);
		if (err < 0)
			return err;
	}
	return 0;
}

/* Whether needle occurs in haystack. */
static bool strstr_simple(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);
	for (; haystack && *haystack; haystack++)
		if (strncmp(haystack, needle, n) == 0)
			return true;
	return false;
}

/* Interrupt controllers are built by the arch once the vCPUs exist (arch_vm_create_irqchip). */
static bool is_interrupt_controller(uint64_t emu_type)
{
	return emu_type == VM_EMU_INTERRUPT_CONTROLLER || emu_type == VM_EMU_GPPT_DISTRIBUTOR ||
	       emu_type == VM_EMU_GPPT_REDISTRIBUTOR || emu_type == VM_EMU_GPPT_ITS;
}

/* Where src/vdev/pl011.c is not built (every arch but aarch64, whose guests alone drive a PL011),
 * a console the config does not name a 16550 gets this instead of the model. */
__attribute__((weak)) struct vdev *vdev_pl011_create(struct vm *vm, const struct vm_emu_device *emu)
{
	vm_log_error(vm, "%s:%u: console '%s': no PL011 on " ARCH_NAME " (a 16550 needs 16550 or uart8250 in the name)",
		     vm->config->file_name, emu->line, emu->name);
	return NULL;
}

static struct vdev *create_emulated(struct vm *vm, const struct vm_emu_device *emu)
{
	switch (emu->emu_type) {
	case VM_EMU_DUMMY:
		return vdev_dummy_create(vm, emu);
	case VM_EMU_CONSOLE:
		/* AxVisor has one console type; the model follows the name the config gives it. */
		if (strstr_simple(emu->name, "16550") || strstr_simple(emu->name, "uart8250"))
			return vdev_ns16550_create(vm, emu);
		return vdev_pl011_create(vm, emu);
	default:
		vm_log_error(vm, "%s:%u: emulated device '%s' (emu_type %#llx, %s) is not supported yet",
			     vm->config->file_name, emu->line, emu->name, (unsigned long long)emu->emu_type,
			     config_emu_type_name(emu->emu_type));
		return NULL;
	}
}

/* Arches whose VMs have no devices beyond their config's and their interrupt controller. */
__attribute__((weak)) int arch_vm_create_platform(struct vm *vm)
{
	(void)vm;
	return 0;
}

int vm_setup_devices(struct vm *vm)
{
	const struct vm_config *config = vm->config;
	for (size_t i = 0; i < config->devices.passthrough_device_count; i++) {
		const struct vm_passthrough_device *pt = &config->devices.passthrough_devices[i];
		if (config_name_is_port(pt->name))
			continue; /* port space: the arch grants those ports in arch_vm_init */
		int err = pt->is_device_tree_path ? pass_through_fdt_node(vm, pt->name)
						  : map_device_window(vm, pt->name, pt->base_gpa, pt->base_hpa, pt->length);
		if (err < 0)
			return err;
	}
	for (size_t i = 0; i < config->devices.passthrough_address_count; i++) {
		const struct vm_passthrough_address *pa = &config->devices.passthrough_addresses[i];
		int err = map_device_window(vm, "address window", pa->gpa, pa->gpa, pa->length);
		if (err < 0)
			return err;
	}
	for (size_t i = 0; i < config->devices.emu_device_count; i++) {
		const struct vm_emu_device *emu = &config->devices.emu_devices[i];
		if (is_interrupt_controller(emu->emu_type))
			continue; /* the arch's: arch_vm_create_irqchip */
		struct vdev *dev = create_emulated(vm, emu);
		if (!dev)
			return -ENODEV;
		struct vdev *conflict = NULL;
		bool port = config_emu_device_is_port(emu);
		int err = vdev_bus_add(port ? &vm->pio_bus : &vm->mmio_bus, dev, &conflict);
		if (err < 0) {
			vm_log_error(vm, "emulated device '%s' at %s%#llx overlaps '%s'", emu->name,
				     port ? "port " : "",
				     (unsigned long long)emu->base_gpa, conflict ? conflict->name : "?");
			kfree(dev->priv);
			return err;
		}
	}
	return arch_vm_create_platform(vm);
}

void vm_release_devices(struct vm *vm)
{
	struct vdev_bus *buses[] = { &vm->mmio_bus, &vm->pio_bus };
	for (unsigned b = 0; b < ARRAY_SIZE(buses); b++) {
		for (unsigned i = 0; i < buses[b]->count; i++) {
			struct vdev *dev = buses[b]->devices[i];
			if (dev->ops->destroy)
				dev->ops->destroy(dev);
			else
				kfree(dev->priv);
		}
		vdev_bus_init(buses[b]);
	}
}
