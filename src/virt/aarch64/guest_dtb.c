/* SPDX-License-Identifier: Apache-2.0 */
/* The device tree a guest gets when its config names no dtb_path: generated from the config in the
 * shape of QEMU's virt machine, which Linux and bare-metal guests know (Linux bindings
 * arm/cpus.yaml, arm/psci.yaml, interrupt-controller/arm,gic-v3.yaml, timer/arm,arch_timer.yaml,
 * serial/pl011.yaml). */
#include "virt/arch_vm.h"
#include "virt_impl/vgic.h"
#include "lib/fdt.h"
#include "lib/fdt_write.h"
#include "lib/format.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "vmm/vm_dtb.h"

#define PHANDLE_GIC(vm) vm_dtb_irqchip_phandle(vm, 1)
#define PHANDLE_APB_CLOCK(vm) vm_dtb_phandle(vm, 2)
#define GIC_SPI 0
#define GIC_PPI 1
#define IRQ_LEVEL_HIGH 4
#define GICR_FRAME_SIZE 0x20000

/* Each vCPU by its MPIDR affinity (arch_vcpu_guest_id), started by PSCI. phandles[i] (i < count)
 * goes to vCPU i's node: a supplied tree's (arch_vm_dtb_write_cpus). */
static void cpus_node(struct fdt_writer *w, struct vm *vm, const uint32_t *phandles, unsigned count)
{
	fdt_begin_node(w, "cpus");
	fdt_property_u32(w, "#address-cells", 1);
	fdt_property_u32(w, "#size-cells", 0);
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		fdt_begin_node_at(w, "cpu", vm->vcpus[i]->guest_id);
		fdt_property_string(w, "device_type", "cpu");
		fdt_property_string(w, "compatible", "arm,armv8");
		fdt_property_u32(w, "reg", (uint32_t)vm->vcpus[i]->guest_id);
		fdt_property_string(w, "enable-method", "psci");
		if (phandles && i < count && phandles[i])
			fdt_property_u32(w, "phandle", phandles[i]);
		fdt_end_node(w);
	}
	fdt_end_node(w);
}

/* A supplied tree's CPUs are replaced: a vCPU's MPIDR is its index (arch_vcpu_guest_id), not the
 * physical CPU's that a board's tree names. */
bool arch_vm_dtb_write_cpus(struct fdt_writer *w, struct vm *vm, const uint32_t *phandles, unsigned count)
{
	cpus_node(w, vm, phandles, count);
	return true;
}

static void interrupt_nodes(struct fdt_writer *w, struct vm *vm)
{
	struct vgic *vgic = vm->arch.vgic;
	if (!vgic)
		return;
	fdt_begin_node_at(w, "intc", vgic->distributor.base);
	fdt_property_string(w, "compatible", vgic->v2 ? "arm,cortex-a15-gic" : "arm,gic-v3");
	fdt_property_u32(w, "#interrupt-cells", 3);
	fdt_property_empty(w, "interrupt-controller");
	uint32_t reg[8] = { 0, (uint32_t)vgic->distributor.base, 0, (uint32_t)vgic->distributor.size,
			    (uint32_t)(vgic->redistributors.base >> 32), (uint32_t)vgic->redistributors.base, 0,
			    (uint32_t)vgic->redistributors.size };
	reg[0] = (uint32_t)(vgic->distributor.base >> 32);
	fdt_property_cells(w, "reg", reg, 8);
	fdt_property_u32(w, "phandle", PHANDLE_GIC(vm));
	fdt_end_node(w);

	/* Secure, non-secure physical, virtual and hypervisor timers: PPIs 13, 14, 11, 10. A GICv2
	 * binding also names the CPUs a PPI reaches (flags [15:8]). */
	uint32_t flags = IRQ_LEVEL_HIGH;
	if (vgic->v2)
		flags |= ((1u << vm->vcpu_count) - 1) << 8;
	fdt_begin_node(w, "timer");
	fdt_property_string(w, "compatible", "arm,armv8-timer");
	uint32_t irqs[12] = { GIC_PPI, 13, flags, GIC_PPI, 14, flags, GIC_PPI, 11, flags, GIC_PPI, 10, flags };
	fdt_property_cells(w, "interrupts", irqs, 12);
	fdt_property_empty(w, "always-on");
	fdt_end_node(w);
}

/* Every PL011 the guest can reach, emulated or passed through; returns the first one's address. */
static uint64_t uart_nodes(struct fdt_writer *w, struct vm *vm)
{
	const struct vm_config *config = vm->config;
	uint64_t first = 0;
	size_t emu_count = config->devices.emu_device_count, pt_count = config->devices.passthrough_device_count;
	/* The config's emulated consoles, its passed-through PL011s, then the one it was given. */
	for (size_t i = 0; i < emu_count + pt_count + 1; i++) {
		uint64_t base, size, irq;
		if (i < emu_count || i == emu_count + pt_count) {
			const struct vm_emu_device *emu = i < emu_count ? &config->devices.emu_devices[i] : &vm->default_console;
			if (!emu->name || emu->emu_type != VM_EMU_CONSOLE)
				continue;
			base = emu->base_gpa, size = emu->length, irq = emu->irq;
		} else {
			const struct vm_passthrough_device *pt = &config->devices.passthrough_devices[i - emu_count];
			if (pt->is_device_tree_path || !pt->name || pt->name[0] != 'p')
				continue; /* "pl011..." */
			base = pt->base_gpa, size = pt->length, irq = pt->irq;
		}
		if (!first) {
			/* Their clock, named apart from a host "apb-pclk" that may be passed through. */
			fdt_begin_node(w, "uart-pclk");
			fdt_property_string(w, "compatible", "fixed-clock");
			fdt_property_u32(w, "#clock-cells", 0);
			fdt_property_u32(w, "clock-frequency", 24000000);
			fdt_property_string(w, "clock-output-names", "clk24mhz");
			fdt_property_u32(w, "phandle", PHANDLE_APB_CLOCK(vm));
			fdt_end_node(w);
		}
		fdt_begin_node_at(w, "pl011", base);
		const char *const compatible[] = { "arm,pl011", "arm,primecell", NULL };
		fdt_property_strings(w, "compatible", compatible);
		fdt_property_reg(w, base, size);
		if (vm->arch.vgic && irq >= 32) {
			uint32_t cells[3] = { GIC_SPI, (uint32_t)irq - 32, IRQ_LEVEL_HIGH };
			fdt_property_cells(w, "interrupts", cells, 3);
		}
		uint32_t clocks[2] = { PHANDLE_APB_CLOCK(vm), PHANDLE_APB_CLOCK(vm) };
		fdt_property_cells(w, "clocks", clocks, 2);
		const char *const clock_names[] = { "uartclk", "apb_pclk", NULL };
		fdt_property_strings(w, "clock-names", clock_names);
		fdt_end_node(w);
		if (!first)
			first = base;
	}
	return first;
}

/* An SPI, level-high (the devices hold their line until the driver acknowledges). */
static void spi_interrupt(struct fdt_writer *w, const struct vm *vm, uint64_t irq)
{
	if (vm->arch.vgic && irq >= 32) {
		uint32_t cells[3] = { GIC_SPI, (uint32_t)irq - 32, IRQ_LEVEL_HIGH };
		fdt_property_cells(w, "interrupts", cells, 3);
	}
}

int arch_vm_build_dtb(struct vm *vm, const struct vm_boot_params *params, void *buf, size_t size)
{
	struct fdt_writer w;
	vm_dtb_begin(&w, buf, size, "linux,dummy-virt");
	if (vm->arch.vgic)
		fdt_property_u32(&w, "interrupt-parent", PHANDLE_GIC(vm));

	fdt_begin_node(&w, "psci");
	const char *const psci[] = { "arm,psci-1.0", "arm,psci-0.2", NULL };
	fdt_property_strings(&w, "compatible", psci);
	fdt_property_string(&w, "method", "hvc");
	fdt_end_node(&w);

	cpus_node(&w, vm, NULL, 0);
	vm_dtb_write_memory(&w, vm);
	interrupt_nodes(&w, vm);
	uint64_t console = uart_nodes(&w, vm);
	vm_dtb_write_virtio_mmio(&w, vm, spi_interrupt);
	dt_passthrough_write(&vm->dt, &w);

	char path[32];
	if (console)
		format_snprintf(path, sizeof(path), "/pl011@%llx", (unsigned long long)console);
	vm_dtb_write_chosen(&w, params, console ? path : NULL);
	fdt_end_node(&w);
	return fdt_finish(&w);
}

/* The host's own on aarch64 (arm,arch_timer.yaml, arm,pmu.yaml): its timer and PMU interrupts are
 * per-CPU PPIs, and the VM has a virtual timer node of its own. */
bool arch_dt_node_is_kept(const void *fdt, int node)
{
	static const char *const kept[] = { "arm,armv8-timer", "arm,armv7-timer", "arm,armv8-pmuv3",
					    "arm,cortex-a72-pmu", "arm,cortex-a53-pmu", "arm,cortex-a57-pmu", NULL };
	return fdt_node_is_compatible_with_any(fdt, node, kept);
}

/* QEMU virt's PL011: 0x0900_0000, SPI 1 (INTID 33). */
void arch_vm_default_console(struct vm_emu_device *console)
{
	*console = (struct vm_emu_device){ .name = "pl011", .base_gpa = 0x09000000, .length = 0x1000, .irq = 33,
					   .emu_type = VM_EMU_CONSOLE };
}
