/* SPDX-License-Identifier: Apache-2.0 */
/* The VM's interrupt controller (virt/arch_vm.h), from its config's interrupt-controller entries
 * (emu_type 0x1), chosen by the entry's name:
 *  - "imsic": IMSIC guest interrupt files, one page per vCPU from the entry's base
 *    (imsic_guest.c); needs a host with AIA guest files;
 *  - "aplic": an APLIC domain in MSI mode delivering to those files (vaplic.c); needs the imsic;
 *  - anything else: the emulated PLIC (vplic.c), QEMU virt's and AxVisor's. */
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

int riscv_claim_host_source(struct vm *vm, const char *controller, unsigned source, unsigned limit,
			    irq_handler_fn handler, void *arg)
{
	if (source == 0 || source >= limit) {
		vm_log_error(vm, "%s source %u is beyond the virtual one's %u", controller, source, limit - 1);
		return -EINVAL;
	}
	char what[32];
	format_snprintf(what, sizeof(what), "%s source %u", controller, source);
	int err = vm_claim_host_resource(vm, HOST_IRQ, source, 1, what);
	if (err == 0 && (err = irq_register(source, handler, arg)) < 0)
		vm_log_error(vm, "%s source %u is the hypervisor's own", controller, source);
	return err;
}

struct pass_context {
	int (*pass)(void *arg, unsigned source);
	void *arg;
};

/* A passed device-tree node's interrupt: the first cell is the source in both bindings (the PLIC's
 * one cell, the APLIC's source and trigger). */
static int pass_dt_interrupt(void *ctx, int node, const void *specifier)
{
	(void)node;
	const struct pass_context *c = ctx;
	return c->pass(c->arg, fdt_be32(specifier));
}

int riscv_pass_host_sources(struct vm *vm, int (*pass)(void *arg, unsigned source), void *arg)
{
	const struct vm_config *config = vm->config;
	int err = 0;
	for (size_t k = 0; k < config->devices.passthrough_device_count && err == 0; k++) {
		const struct vm_passthrough_device *pt = &config->devices.passthrough_devices[k];
		if (!pt->is_device_tree_path && pt->irq)
			err = pass(arg, (unsigned)pt->irq);
	}
	struct pass_context ctx = { pass, arg };
	if (err == 0)
		err = dt_passthrough_for_each_interrupt(&vm->dt, pass_dt_interrupt, &ctx);
	return err;
}

static bool names(const struct vm_emu_device *emu, const char *what)
{
	return emu->name && strstr(emu->name, what);
}

static int create_vaplic(struct vm *vm, const struct vm_emu_device *emu)
{
	if (!riscv_vm_uses_imsic(vm->config)) {
		vm_log_error(vm, "its APLIC '%s' delivers messages to IMSIC guest files: the config needs an "
				 "interrupt controller named \"imsic\" too", emu->name);
		return -EINVAL;
	}
	struct vdev *dev = riscv_vaplic_create(vm, emu);
	if (!dev)
		return -ENOMEM;
	struct vdev *conflict = NULL;
	int err = vdev_bus_add(&vm->mmio_bus, dev, &conflict);
	if (err < 0) {
		vm_log_error(vm, "vAPLIC at %#llx overlaps '%s'", (unsigned long long)emu->base_gpa,
			     conflict ? conflict->name : "?");
		kfree(dev->priv);
		vm_set_irqchip(vm, NULL, NULL);
		return err;
	}
	vm_log_info(vm, "vAPLIC at %#llx (MSI mode), %u sources", (unsigned long long)emu->base_gpa,
		    riscv_vaplic_source_count(vm));
	if (vm->config->devices.interrupt_mode.value == VM_INTERRUPTS_PASSTHROUGH)
		return riscv_vaplic_pass_interrupts(vm, dev);
	return 0;
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
		if (emu->emu_type != VM_EMU_INTERRUPT_CONTROLLER || names(emu, "imsic"))
			continue;
		int err = names(emu, "aplic") ? create_vaplic(vm, emu) : riscv_vplic_create(vm, emu);
		if (err < 0)
			return err;
	}
	return 0;
}
