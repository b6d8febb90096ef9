/* SPDX-License-Identifier: Apache-2.0 */
/* What every arch's generated guest device tree says the same way (vmm/vm_dtb.h). */
#include "vmm/vm_dtb.h"
#include "vmm/vm.h"
#include "lib/errno.h"

void vm_dtb_begin(struct fdt_writer *w, void *buf, size_t size, const char *compatible)
{
	fdt_begin(w, buf, size);
	fdt_begin_node(w, "");
	fdt_property_u32(w, "#address-cells", 2);
	fdt_property_u32(w, "#size-cells", 2);
	const char *const compatibles[] = { compatible, NULL };
	fdt_property_strings(w, "compatible", compatibles);
	fdt_property_string(w, "model", "Tessera VM");
}

/* Beside host nodes passed through, generated phandles go above the host's, and the VM's
 * interrupt controller answers to the host controller's phandle, which the copied nodes name. */
uint32_t vm_dtb_phandle(const struct vm *vm, uint32_t n)
{
	return vm->dt.passed ? vm->dt.max_phandle + n : n;
}

uint32_t vm_dtb_irqchip_phandle(const struct vm *vm, uint32_t n)
{
	return vm->dt.passed && vm->dt.irqchip_phandle ? vm->dt.irqchip_phandle : vm_dtb_phandle(vm, n);
}

int vm_dtb_write_memory_cells(struct fdt_writer *w, const struct vm *vm, int address_cells, int size_cells)
{
	for (unsigned i = 0; i < vm->ram_count; i++) {
		uint64_t values[2] = { vm->ram[i].gpa, vm->ram[i].size };
		int cells[2] = { address_cells, size_cells };
		uint32_t reg[4];
		unsigned n = 0;
		for (int v = 0; v < 2; v++) {
			if (cells[v] < 1 || cells[v] > 2 || (cells[v] == 1 && values[v] >> 32))
				return -ERANGE;
			if (cells[v] == 2)
				reg[n++] = (uint32_t)(values[v] >> 32);
			reg[n++] = (uint32_t)values[v];
		}
		fdt_begin_node_at(w, "memory", vm->ram[i].gpa);
		fdt_property_string(w, "device_type", "memory");
		fdt_property_cells(w, "reg", reg, n);
		fdt_end_node(w);
	}
	return 0;
}

void vm_dtb_write_memory(struct fdt_writer *w, const struct vm *vm)
{
	(void)vm_dtb_write_memory_cells(w, vm, 2, 2); /* two cells hold any address and size */
}

void vm_dtb_write_virtio_mmio(struct fdt_writer *w, const struct vm *vm, vm_dtb_interrupt_fn interrupts)
{
	const struct vm_config *config = vm->config;
	for (size_t i = 0; i < config->devices.emu_device_count; i++) {
		const struct vm_emu_device *emu = &config->devices.emu_devices[i];
		if (!config_emu_type_is_virtio(emu->emu_type))
			continue;
		fdt_begin_node_at(w, "virtio_mmio", emu->base_gpa);
		fdt_property_string(w, "compatible", "virtio,mmio");
		fdt_property_reg(w, emu->base_gpa, emu->length);
		fdt_property_empty(w, "dma-coherent");
		interrupts(w, vm, emu->irq);
		fdt_end_node(w);
	}
}

void vm_dtb_write_chosen(struct fdt_writer *w, const struct vm_boot_params *params, const char *stdout_path)
{
	fdt_begin_node(w, "chosen");
	vm_dtb_write_chosen_properties(w, params, stdout_path);
	fdt_end_node(w);
}

void vm_dtb_write_chosen_properties(struct fdt_writer *w, const struct vm_boot_params *params, const char *stdout_path)
{
	if (params->cmdline)
		fdt_property_string(w, "bootargs", params->cmdline);
	if (stdout_path)
		fdt_property_string(w, "stdout-path", stdout_path);
	if (params->initrd_start) {
		fdt_property_u64(w, "linux,initrd-start", params->initrd_start);
		fdt_property_u64(w, "linux,initrd-end", params->initrd_end);
	}
	/* Linux credits these bytes to its random-number generator at once (random.trust_bootloader,
	 * on by default): without them it spends its first second or so unseeded, and every
	 * kmem_cache it creates meanwhile waits on jitter entropy. */
	if (params->has_rng_seed)
		fdt_property(w, "rng-seed", params->rng_seed, sizeof(params->rng_seed));
}
