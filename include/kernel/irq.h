/* SPDX-License-Identifier: Apache-2.0 */
/* Interrupt dispatch: the irqchip driver in use, and handlers by interrupt number (GIC INTID,
 * PLIC source, or x86 vector). The arch calls irq_dispatch() when an external interrupt arrives. */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include "lib/types.h"
#include "kernel/platform.h"

#define IRQ_MAX 1024
#define IRQ_NONE 0xffffffffu

typedef void (*irq_handler_fn)(unsigned irq, void *arg);

struct irqchip_ops {
	const char *name;
	/* Global set-up on the boot CPU (distributor, PLIC priorities, IOAPIC). */
	__must_check int (*init)(const struct irqchip_desc *desc, const void *fdt);
	/* Per-CPU set-up (redistributor/CPU interface, PLIC context, LAPIC), on that CPU. */
	void (*init_cpu)(unsigned cpu_index);
	void (*enable)(unsigned irq);
	void (*disable)(unsigned irq);
	/* Acknowledges the highest-priority pending interrupt, or returns IRQ_NONE. */
	unsigned (*claim)(void);
	/* Ends handling of a claimed interrupt. */
	void (*complete)(unsigned irq);
	/* Ends the CPU's handling of a claimed interrupt but leaves it active, for a guest whose end of
	 * interrupt deactivates it in hardware (GIC list registers with HW = 1); and deactivates such
	 * an interrupt from any CPU. NULL where the chip cannot split the two. */
	void (*drop_priority)(unsigned irq);
	void (*deactivate)(unsigned irq);
	/* Sends software interrupt 'irq' to a CPU (GIC SGIs); NULL where the arch does IPIs itself. */
	void (*send_ipi)(unsigned cpu_index, unsigned irq);
	/* Delivers shared interrupt 'irq' to one CPU from now on; NULL where the chip does not. */
	void (*route)(unsigned irq, unsigned cpu_index);
};

__must_check int irq_init(const struct irqchip_desc *desc, const void *fdt);
void irq_init_cpu(unsigned cpu_index);
__must_check int irq_register(unsigned irq, irq_handler_fn handler, void *arg);
/* Registers and enables an interrupt the hypervisor itself needs on this CPU (its timer, its IPI,
 * the vGIC's maintenance interrupt), named by `what` in the panic when it cannot: nothing of the
 * hypervisor works without it. */
void irq_register_own(unsigned irq, irq_handler_fn handler, const char *what);
/* Forgets the handler: the interrupt is disabled first. */
void irq_unregister(unsigned irq);
void irq_enable(unsigned irq);
void irq_disable(unsigned irq);
/* For a handler that forwarded its interrupt to a guest which ends it in hardware: the claim is
 * ended with chip->drop_priority instead of chip->complete, so the line stays active (it cannot
 * fire again) until the guest's end of interrupt or irq_deactivate. false where the chip cannot. */
bool irq_leave_active(void);
void irq_deactivate(unsigned irq);
/* Ends a claimed interrupt: chip->complete, or chip->drop_priority after irq_leave_active. */
void irq_end(unsigned irq);
/* Delivers a shared interrupt to this CPU from now on, where the chip can (a passed-through
 * interrupt following the vCPU it is for: it then reaches that vCPU without a kick). */
void irq_route_here(unsigned irq);
const struct irqchip_ops *irq_chip(void);
/* Claims and handles interrupts until none is pending (GIC, PLIC). Interrupt context. */
void irq_dispatch(void);
/* Runs the handler of an interrupt the arch already identified (x86 vectors); no claim or
 * complete. Interrupt context. */
void irq_handle(unsigned irq);
/* Called by the arch when a reschedule IPI arrives. */
void ipi_interrupt(void);

#endif
