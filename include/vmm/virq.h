/* SPDX-License-Identifier: Apache-2.0 */
/* A VM's virtual interrupt controller (vGIC on aarch64, vPLIC on riscv64, vIOAPIC + vLAPIC on
 * x86_64). Device models raise and lower interrupt lines with vm_irq_set(); the controller model
 * decides which vCPU to interrupt, makes arch_vcpu_irq_pending() true for it and kicks it
 * (vcpu_kick) so a halted or running vCPU notices. The controller registers itself when the VM's
 * devices are created (vm_set_irqchip). */
#ifndef VMM_VIRQ_H
#define VMM_VIRQ_H

#include "lib/types.h"

struct vm;

struct virq_ops {
	/* Level of line 'irq' (the number the guest's device tree / ACPI uses). Any context. */
	void (*set_level)(struct vm *vm, unsigned irq, bool level);
	/* An edge on line 'irq' whatever its configured trigger: one interrupt pending until the
	 * guest takes it; edges while it is pending coalesce, and only the first kicks a vCPU (an
	 * IVC doorbell, vmm/ivc.h). Any context. */
	void (*pulse)(struct vm *vm, unsigned irq);
	/* Optional: a message-signalled interrupt, a PCI device's MSI or MSI-X write of `data` to
	 * `address` (x86's local APICs: SDM vol. 3, 10.11). Any context. */
	void (*message)(struct vm *vm, uint64_t address, uint32_t data);
};

void vm_set_irqchip(struct vm *vm, const struct virq_ops *ops, void *priv);
/* Raises or lowers a line; ignored (logged once) when the VM has no interrupt controller. */
void vm_irq_set(struct vm *vm, unsigned irq, bool level);
/* An edge on a line (virq_ops.pulse); ignored like vm_irq_set without a controller. */
void vm_irq_pulse(struct vm *vm, unsigned irq);
/* A message-signalled interrupt (virq_ops.message); ignored like vm_irq_set when the VM's
 * controller takes none. */
void vm_irq_message(struct vm *vm, uint64_t address, uint32_t data);

#endif
