/* SPDX-License-Identifier: Apache-2.0 */
/* The device tree a riscv64 guest gets when its config names no dtb_path: generated from the config
 * in the shape of QEMU's virt machine, which Linux and bare-metal guests know (Linux bindings
 * riscv/cpus.yaml, riscv/extensions.yaml, interrupt-controller/riscv,cpu-intc.yaml,
 * interrupt-controller/sifive,plic-1.0.0.yaml, serial/8250.yaml; Devicetree Specification v0.4,
 * 3.3 /memory, 3.6 /chosen, 3.7 /cpus). The guest's ISA is what Tessera lets a VS-mode guest use:
 * RV64GC, its counters (hcounteren) and Sstc when the host has it (henvcfg.STCE); nothing whose
 * state a vCPU switch does not keep (V) or that henvcfg leaves off (Svpbmt, Zicbom). */
#include "arch/timer.h"
#include "drivers/aia.h"
#include "virt/arch_vm.h"
#include "virt_impl/guest.h"
#include "lib/fdt.h"
#include "lib/fdt_write.h"
#include "lib/format.h"
#include "lib/string.h"
#include "vdev/models.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "vmm/vm_dtb.h"

#define PHANDLE_PLIC(vm) vm_dtb_irqchip_phandle(vm, 1)
#define PHANDLE_HART_INTC(vm, hart) vm_dtb_phandle(vm, 2 + (hart))
#define PHANDLE_IMSIC(vm) vm_dtb_phandle(vm, 2 + (vm)->vcpu_count)
/* The APLIC binding's second cell (Linux dt-bindings/interrupt-controller/irq.h). */
#define IRQ_TYPE_LEVEL_HIGH 4
/* Local interrupt numbers of a hart (privileged spec 20211203, 3.1.9 mip/mie). */
#define IRQ_M_EXTERNAL 11
#define IRQ_S_EXTERNAL 9
/* QEMU virt's 16550 input clock, which Linux's 8250 driver needs to compute divisors. */
#define UART_CLOCK_HZ 3686400

/* Ssaia (the AIA's supervisor CSRs) when the VM has IMSIC guest files: the guest's siselect,
 * sireg and stopei reach its file (AIA 1.0, 2.3). */
static void isa_properties(struct fdt_writer *w, bool ssaia)
{
	bool sstc = riscv_guest_has_sstc();
	char isa[64];
	format_snprintf(isa, sizeof(isa), "rv64imafdc_zicntr_zicsr_zifencei%s%s", ssaia ? "_ssaia" : "",
			sstc ? "_sstc" : "");
	fdt_property_string(w, "riscv,isa", isa);
	fdt_property_string(w, "riscv,isa-base", "rv64i");
	const char *extensions[12] = { "i", "m", "a", "f", "d", "c", "zicntr", "zicsr", "zifencei" };
	size_t n = 9;
	if (ssaia)
		extensions[n++] = "ssaia";
	if (sstc)
		extensions[n++] = "sstc";
	extensions[n] = NULL;
	fdt_property_strings(w, "riscv,isa-extensions", extensions);
}

static void cpus_node(struct fdt_writer *w, struct vm *vm)
{
	fdt_begin_node(w, "cpus");
	fdt_property_u32(w, "#address-cells", 1);
	fdt_property_u32(w, "#size-cells", 0);
	/* The guest reads the host's time CSR directly (plus htimedelta, 0 until a suspend), so it counts
	 * at the host's rate. */
	fdt_property_u32(w, "timebase-frequency", (uint32_t)arch_timer_frequency());
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		uint64_t hart = vm->vcpus[i]->guest_id;
		fdt_begin_node_at(w, "cpu", hart);
		fdt_property_string(w, "device_type", "cpu");
		fdt_property_u32(w, "reg", (uint32_t)hart);
		fdt_property_string(w, "status", "okay");
		fdt_property_string(w, "compatible", "riscv");
		isa_properties(w, riscv_imsic_window(vm->config) != NULL);
		/* The G-stage is Sv39x4; the guest's own stage may be anything the hart has, but Sv39
		 * is what every RV64 Linux supports and the cheapest walk under emulation. */
		fdt_property_string(w, "mmu-type", "riscv,sv39");
		fdt_begin_node(w, "interrupt-controller");
		fdt_property_u32(w, "#interrupt-cells", 1);
		fdt_property_empty(w, "interrupt-controller");
		fdt_property_string(w, "compatible", "riscv,cpu-intc");
		fdt_property_u32(w, "phandle", PHANDLE_HART_INTC(vm, i));
		fdt_end_node(w);
		fdt_end_node(w);
	}
	fdt_end_node(w);
}

/* The VM's wired-line controller: its vAPLIC, else its vPLIC, or NULL (irqchip.c). */
static const struct vm_emu_device *wired_controller(const struct vm_config *config)
{
	const struct vm_emu_device *aplic = riscv_irqchip_entry(config, RISCV_VAPLIC);
	return aplic ? aplic : riscv_irqchip_entry(config, RISCV_VPLIC);
}

static bool is_aplic(const struct vm_emu_device *emu)
{
	return emu && riscv_irqchip_of(emu) == RISCV_VAPLIC;
}

/* The guest's IMSIC (Linux binding interrupt-controller/riscv,imsics.yaml): a supervisor-level
 * file per vCPU, in vCPU order, no guest files of its own. */
static void imsic_node(struct fdt_writer *w, struct vm *vm, const struct vm_emu_device *imsic)
{
	fdt_begin_node_at(w, "imsics", imsic->base_gpa);
	fdt_property_string(w, "compatible", "riscv,imsics");
	fdt_property_reg(w, imsic->base_gpa, (uint64_t)vm->vcpu_count * 0x1000);
	fdt_property_u32(w, "#interrupt-cells", 0);
	fdt_property_empty(w, "interrupt-controller");
	fdt_property_empty(w, "msi-controller");
	fdt_property_u32(w, "riscv,num-ids", aia_num_ids());
	uint32_t cells[2 * 64];
	size_t n = 0;
	for (unsigned h = 0; h < vm->vcpu_count && n + 2 <= sizeof(cells) / sizeof(cells[0]); h++) {
		cells[n++] = PHANDLE_HART_INTC(vm, h);
		cells[n++] = IRQ_S_EXTERNAL;
	}
	fdt_property_cells(w, "interrupts-extended", cells, n);
	fdt_property_u32(w, "phandle", PHANDLE_IMSIC(vm));
	fdt_end_node(w);
}

/* The guest's APLIC in MSI mode (Linux binding interrupt-controller/riscv,aplic.yaml). */
static void aplic_node(struct fdt_writer *w, struct vm *vm, const struct vm_emu_device *aplic)
{
	fdt_begin_node_at(w, "aplic", aplic->base_gpa);
	fdt_property_string(w, "compatible", "riscv,aplic");
	fdt_property_reg(w, aplic->base_gpa, aplic->length);
	fdt_property_u32(w, "#interrupt-cells", 2);
	fdt_property_empty(w, "interrupt-controller");
	fdt_property_u32(w, "msi-parent", PHANDLE_IMSIC(vm));
	fdt_property_u32(w, "riscv,num-sources", riscv_vaplic_source_count(vm));
	fdt_property_u32(w, "phandle", PHANDLE_PLIC(vm));
	fdt_end_node(w);
}

/* Contexts 2h and 2h + 1 of the vPLIC are hart h's M- and S-mode ones (vplic.c); Linux uses the
 * S-mode context of each hart and skips the others by their local interrupt number. */
static void plic_node(struct fdt_writer *w, struct vm *vm, const struct vm_emu_device *plic)
{
	fdt_begin_node_at(w, "plic", plic->base_gpa);
	const char *const compatible[] = { "sifive,plic-1.0.0", "riscv,plic0", NULL };
	fdt_property_strings(w, "compatible", compatible);
	fdt_property_reg(w, plic->base_gpa, plic->length);
	fdt_property_u32(w, "#address-cells", 0);
	fdt_property_u32(w, "#interrupt-cells", 1);
	fdt_property_empty(w, "interrupt-controller");
	fdt_property_u32(w, "riscv,ndev", vplic_source_count(vm));
	uint32_t cells[4 * 64];
	size_t n = 0;
	for (unsigned h = 0; h < vm->vcpu_count && n + 4 <= sizeof(cells) / sizeof(cells[0]); h++) {
		cells[n++] = PHANDLE_HART_INTC(vm, h);
		cells[n++] = IRQ_M_EXTERNAL;
		cells[n++] = PHANDLE_HART_INTC(vm, h);
		cells[n++] = IRQ_S_EXTERNAL;
	}
	fdt_property_cells(w, "interrupts-extended", cells, n);
	fdt_property_u32(w, "phandle", PHANDLE_PLIC(vm));
	fdt_end_node(w);
}

/* The core picks the 16550 model for a console by the same names (src/vmm/vm_devices.c). */
static bool names_a_16550(const char *name)
{
	return name && (strstr(name, "16550") || strstr(name, "uart8250"));
}

/* A source of the vPLIC (one cell) or the vAPLIC (source and level-high), when the VM has one. */
static void plic_interrupt(struct fdt_writer *w, const struct vm *vm, uint64_t irq)
{
	const struct vm_emu_device *controller = wired_controller(vm->config);
	if (!controller || irq == 0 || irq >= VPLIC_SOURCES)
		return;
	fdt_property_u32(w, "interrupt-parent", PHANDLE_PLIC(vm));
	if (is_aplic(controller)) {
		const uint32_t cells[] = { (uint32_t)irq, IRQ_TYPE_LEVEL_HIGH };
		fdt_property_cells(w, "interrupts", cells, 2);
	} else {
		fdt_property_u32(w, "interrupts", (uint32_t)irq);
	}
}

/* Every 16550 the guest can reach, emulated or passed through by address; returns the node name of
 * the first one for stdout-path (empty when there is none). */
static void uart_nodes(struct fdt_writer *w, struct vm *vm, bool have_plic, char *first, size_t first_size)
{
	const struct vm_config *config = vm->config;
	size_t emu_count = config->devices.emu_device_count;
	first[0] = '\0';
	size_t pt_count = config->devices.passthrough_device_count;
	/* The config's emulated consoles, its passed-through 16550s, then the one it was given. */
	for (size_t i = 0; i < emu_count + pt_count + 1; i++) {
		uint64_t base, size, irq, reg_shift = 0;
		if (i < emu_count || i == emu_count + pt_count) {
			const struct vm_emu_device *emu = i < emu_count ? &config->devices.emu_devices[i] : &vm->default_console;
			if (!emu->name)
				continue;
			if (emu->emu_type != VM_EMU_CONSOLE || !names_a_16550(emu->name))
				continue;
			base = emu->base_gpa, size = emu->length, irq = emu->irq;
			if (emu->config_count > 0)
				reg_shift = emu->config[0]; /* ns16550.c: the first cfg word is the stride */
		} else {
			const struct vm_passthrough_device *pt = &config->devices.passthrough_devices[i - emu_count];
			if (pt->is_device_tree_path || !names_a_16550(pt->name))
				continue;
			base = pt->base_gpa, size = pt->length, irq = pt->irq;
		}
		fdt_begin_node_at(w, "serial", base);
		fdt_property_string(w, "compatible", "ns16550a");
		fdt_property_reg(w, base, size);
		fdt_property_u32(w, "clock-frequency", UART_CLOCK_HZ);
		if (reg_shift)
			fdt_property_u32(w, "reg-shift", (uint32_t)reg_shift);
		if (have_plic)
			plic_interrupt(w, vm, irq);
		fdt_end_node(w);
		if (!first[0])
			format_snprintf(first, first_size, "/serial@%llx", (unsigned long long)base);
	}
}


int arch_vm_build_dtb(struct vm *vm, const struct vm_boot_params *params, void *buf, size_t size)
{
	struct fdt_writer w;
	vm_dtb_begin(&w, buf, size, "riscv-virtio");

	cpus_node(&w, vm);
	vm_dtb_write_memory(&w, vm);
	const struct vm_emu_device *imsic = riscv_imsic_window(vm->config);
	if (imsic)
		imsic_node(&w, vm, imsic);
	const struct vm_emu_device *plic = wired_controller(vm->config);
	if (is_aplic(plic))
		aplic_node(&w, vm, plic);
	else if (plic)
		plic_node(&w, vm, plic);
	char console[32];
	uart_nodes(&w, vm, plic != NULL, console, sizeof(console));
	vm_dtb_write_virtio_mmio(&w, vm, plic_interrupt);
	dt_passthrough_write(&vm->dt, &w);

	vm_dtb_write_chosen(&w, params, console[0] ? console : NULL);
	fdt_end_node(&w);
	return fdt_finish(&w);
}

/* The host's own on riscv64: its timer (the CLINT or ACLINT, whose timer and IPIs the hypervisor
 * drives through SBI), the test finisher that powers the host off, the PMU node that asks for
 * SBI's PMU extension, which guests are not offered, and every APLIC domain and IMSIC: the
 * hypervisor's (or the firmware's) interrupt files and wiring, which a VM gets as its vAPLIC and
 * guest files instead. */
bool arch_dt_node_is_kept(const void *fdt, int node)
{
	static const char *const kept[] = { "riscv,clint0", "sifive,clint0", "riscv,aclint-mswi", "riscv,aclint-mtimer",
					    "sifive,test0", "sifive,test1", "riscv,pmu", "riscv,aplic", "riscv,imsics",
					    NULL };
	return fdt_node_is_compatible_with_any(fdt, node, kept);
}

/* QEMU virt's 16550: 0x1000_0000, PLIC source 10. */
void arch_vm_default_console(struct vm_emu_device *console)
{
	*console = (struct vm_emu_device){ .name = "ns16550", .base_gpa = 0x10000000, .length = 0x100, .irq = 10,
					   .emu_type = VM_EMU_CONSOLE };
}

/* A supplied tree keeps its /cpus: each hart's node holds the interrupt controller that the
 * tree's PLIC or APLIC names by phandle, which a rewrite would have to follow. */
bool arch_vm_dtb_write_cpus(struct fdt_writer *w, struct vm *vm, const uint32_t *phandles, unsigned count)
{
	(void)w;
	(void)vm;
	(void)phandles;
	(void)count;
	return false;
}
