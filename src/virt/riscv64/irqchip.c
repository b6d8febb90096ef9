/* SPDX-License-Identifier: Apache-2.0 */
/* The VM's interrupt controller (virt/arch_vm.h), from its config's interrupt-controller entries
 * (emu_type 0x1), told apart by name (riscv_irqchip_of), the one place that decides:
 *  - "imsic": IMSIC guest interrupt files, one page per vCPU from the entry's base
 *    (imsic_guest.c); needs a host with AIA guest files;
 *  - "aplic": an APLIC domain in MSI mode delivering to those files (vaplic.c); needs the imsic;
 *  - anything else: the emulated PLIC (vplic.c), QEMU virt's and AxVisor's.
 * Both wired-line models share what is here: going on the VM's bus and, with interrupt_mode =
 * "passthrough", the host sources of the VM's passthrough devices and passed device-tree nodes.
 * The vPLIC's are forwarded: their handler masks the source and raises the VM's line (the model
 * unmasks it at the guest's end of interrupt, so a device that still asserts it interrupts
 * again). The vAPLIC's go from the host APLIC straight to the guest's interrupt files (vaplic.c):
 * registered here only to be the VM's alone. */
#include "virt/arch_vm.h"
#include "virt_impl/guest.h"
#include "kernel/irq.h"
#include "kernel/mm.h"
#include "lib/fdt.h"
#include "lib/format.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "vmm/virq.h"
#include "vmm/vm.h"

enum riscv_irqchip riscv_irqchip_of(const struct vm_emu_device *emu)
{
	if (emu->emu_type != VM_EMU_INTERRUPT_CONTROLLER)
		return RISCV_NO_IRQCHIP;
	if (emu->name && strstr(emu->name, "imsic"))
		return RISCV_IMSIC;
	if (emu->name && strstr(emu->name, "aplic"))
		return RISCV_VAPLIC;
	return RISCV_VPLIC;
}

const struct vm_emu_device *riscv_irqchip_entry(const struct vm_config *config, enum riscv_irqchip kind)
{
	for (size_t i = 0; i < config->devices.emu_device_count; i++)
		if (riscv_irqchip_of(&config->devices.emu_devices[i]) == kind)
			return &config->devices.emu_devices[i];
	return NULL;
}

/* A passed-through host source fired: masked until the guest ends it, the VM's line raised. */
static void forward_host_source(unsigned irq, void *arg)
{
	irq_disable(irq);
	vm_irq_set(arg, irq, true);
}

void riscv_release_held_sources(const uint32_t *passthrough, uint32_t *lines, unsigned words)
{
	for (unsigned w = 0; w < words; w++) {
		for (uint32_t held = passthrough[w] & lines[w]; held; held &= held - 1)
			irq_enable(w * 32 + (unsigned)__builtin_ctz(held));
		lines[w] &= ~passthrough[w];
	}
}

struct passing {
	struct vm *vm;
	const char *controller; /* "PLIC" or "APLIC", for the messages */
	unsigned limit;         /* the model's sources are 1 .. limit - 1 */
	void (*mark)(void *model, unsigned source);
	void *model;
	bool forwarded; /* the host takes the source's interrupts (the vPLIC), not the guest's file */
	unsigned passed;
};

static int pass_source(struct passing *p, unsigned source)
{
	struct vm *vm = p->vm;
	if (source == 0 || source >= p->limit) {
		vm_log_error(vm, "%s source %u is beyond the virtual one's %u", p->controller, source, p->limit - 1);
		return -EINVAL;
	}
	char what[32];
	format_snprintf(what, sizeof(what), "%s source %u", p->controller, source);
	int err = vm_claim_host_resource(vm, HOST_IRQ, source, 1, what);
	if (err == 0 && (err = irq_register(source, forward_host_source, vm)) < 0)
		vm_log_error(vm, "%s source %u is the hypervisor's own", p->controller, source);
	if (err < 0)
		return err;
	p->mark(p->model, source); /* the model's before the first interrupt can come */
	if (p->forwarded)
		irq_enable(source);
	p->passed++;
	return 0;
}

/* A passed device-tree node's interrupt: the first cell is the source in both bindings (the PLIC's
 * one cell, the APLIC's source and trigger). */
static int pass_dt_interrupt(void *ctx, int node, const void *specifier)
{
	(void)node;
	return pass_source(ctx, fdt_be32(specifier));
}

static int pass_host_sources(struct passing *p)
{
	const struct vm_config *config = p->vm->config;
	int err = 0;
	for (size_t k = 0; k < config->devices.passthrough_device_count && err == 0; k++) {
		const struct vm_passthrough_device *pt = &config->devices.passthrough_devices[k];
		if (!pt->is_device_tree_path && pt->irq)
			err = pass_source(p, (unsigned)pt->irq);
	}
	if (err == 0)
		err = dt_passthrough_for_each_interrupt(&p->vm->dt, pass_dt_interrupt, p);
	if (err == 0 && p->passed)
		vm_log_info(p->vm, "%u physical %s source(s) passed through", p->passed, p->controller);
	return err;
}

/* Puts a wired-line model on the VM's bus (`detail` completes its info line) and gives it its host
 * sources in passthrough mode. */
static int add_wired(struct vm *vm, const struct vm_emu_device *emu, struct vdev *dev, const char *detail,
		     struct passing *passing)
{
	struct vdev *conflict = NULL;
	int err = vdev_bus_add(&vm->mmio_bus, dev, &conflict);
	if (err < 0) {
		vm_log_error(vm, "v%s at %#llx overlaps '%s'", passing->controller, (unsigned long long)emu->base_gpa,
			     conflict ? conflict->name : "?");
		if (dev->ops->destroy)
			dev->ops->destroy(dev);
		else
			kfree(dev->priv);
		vm_set_irqchip(vm, NULL, NULL);
		return err;
	}
	vm_log_info(vm, "v%s at %#llx%s", passing->controller, (unsigned long long)emu->base_gpa, detail);
	if (vm->config->devices.interrupt_mode.value != VM_INTERRUPTS_PASSTHROUGH)
		return 0;
	return pass_host_sources(passing);
}

static int create_vplic(struct vm *vm, const struct vm_emu_device *emu)
{
	struct vdev *dev = riscv_vplic_create(vm, emu);
	if (!dev)
		return -ENOMEM;
	char detail[24];
	format_snprintf(detail, sizeof(detail), ", %u contexts", 2 * vm->vcpu_count);
	struct passing passing = { vm, "PLIC", VPLIC_SOURCES, riscv_vplic_pass, dev->priv, true, 0 };
	return add_wired(vm, emu, dev, detail, &passing);
}

static int create_vaplic(struct vm *vm, const struct vm_emu_device *emu)
{
	if (!riscv_imsic_window(vm->config)) {
		vm_log_error(vm, "its APLIC '%s' delivers messages to IMSIC guest files: the config needs an "
				 "interrupt controller named \"imsic\" too", emu->name);
		return -EINVAL;
	}
	struct vdev *dev = riscv_vaplic_create(vm, emu);
	if (!dev)
		return -ENOMEM;
	char detail[32];
	format_snprintf(detail, sizeof(detail), " (MSI mode), %u sources", riscv_vaplic_source_count(vm));
	struct passing passing = { vm, "APLIC", VPLIC_SOURCES, riscv_vaplic_pass, dev->priv, false, 0 };
	return add_wired(vm, emu, dev, detail, &passing);
}

int arch_vm_create_irqchip(struct vm *vm)
{
	const struct vm_config *config = vm->config;
	const struct vm_emu_device *imsic = riscv_imsic_window(config);
	if (imsic) {
		if (imsic->length < (uint64_t)vm->vcpu_count * 0x1000 || (imsic->base_gpa & 0xfff)) {
			vm_log_error(vm, "its IMSIC window at %#llx must be page-aligned with a 4 KiB page per vCPU (%u)",
				     (unsigned long long)imsic->base_gpa, vm->vcpu_count);
			return -EINVAL;
		}
		int err = riscv_imsic_attach(vm, imsic->base_gpa);
		if (err < 0)
			return err;
	}
	for (size_t i = 0; i < config->devices.emu_device_count; i++) {
		const struct vm_emu_device *emu = &config->devices.emu_devices[i];
		enum riscv_irqchip kind = riscv_irqchip_of(emu);
		int err = kind == RISCV_VPLIC ? create_vplic(vm, emu) : kind == RISCV_VAPLIC ? create_vaplic(vm, emu) : 0;
		if (err < 0)
			return err;
	}
	return 0;
}
