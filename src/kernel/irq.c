/* SPDX-License-Identifier: Apache-2.0 */
/* Interrupt dispatch (see kernel/irq.h). */
#include "kernel/irq.h"
#include "kernel/driver.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "lib/errno.h"

struct irq_slot {
	irq_handler_fn handler;
	void *arg;
	bool reported; /* an unexpected interrupt is logged once */
};

static const struct irqchip_ops *chip;
static struct irq_slot slots[IRQ_MAX];

int irq_init(const struct irqchip_desc *desc, const void *fdt)
{
	if (!desc->compatible) {
		log_error("no supported interrupt controller described by the platform");
		return -ENODEV;
	}
	const struct driver *drv = driver_find(DRIVER_IRQCHIP, desc->compatible);
	if (!drv) {
		log_error("no driver for interrupt controller '%s' in this build", desc->compatible);
		return -ENODEV;
	}
	chip = drv->ops;
	int err = chip->init(desc, fdt);
	if (err < 0) {
		log_error("interrupt controller %s: init failed (%d)", chip->name, err);
		chip = NULL;
		return err;
	}
	log_info("Interrupt controller: %s at %#llx", chip->name, (unsigned long long)desc->regs[0]);
	return 0;
}

void irq_init_cpu(unsigned cpu_index)
{
	if (chip && chip->init_cpu)
		chip->init_cpu(cpu_index);
}

const struct irqchip_ops *irq_chip(void)
{
	return chip;
}

int irq_register(unsigned irq, irq_handler_fn handler, void *arg)
{
	if (irq >= IRQ_MAX)
		return -EINVAL;
	if (slots[irq].handler && slots[irq].handler != handler)
		return -EBUSY;
	slots[irq].arg = arg;
	__atomic_store_n(&slots[irq].handler, handler, __ATOMIC_RELEASE);
	return 0;
}

void irq_unregister(unsigned irq)
{
	if (irq >= IRQ_MAX)
		return;
	irq_disable(irq);
	__atomic_store_n(&slots[irq].handler, NULL, __ATOMIC_RELEASE);
	slots[irq].arg = NULL;
}

void irq_register_own(unsigned irq, irq_handler_fn handler, const char *what)
{
	int err = irq_register(irq, handler, NULL);
	if (err < 0)
		panic("cannot take interrupt %u for %s: %d", irq, what, err);
	irq_enable(irq);
}

void irq_enable(unsigned irq)
{
	if (chip && chip->enable)
		chip->enable(irq);
}

void irq_route_here(unsigned irq)
{
	if (chip && chip->route)
		chip->route(irq, this_cpu()->id);
}

void irq_disable(unsigned irq)
{
	if (chip && chip->disable)
		chip->disable(irq);
}

bool irq_leave_active(void)
{
	if (!chip || !chip->drop_priority)
		return false;
	this_cpu()->irq_left_active = true;
	return true;
}

void irq_deactivate(unsigned irq)
{
	if (chip && chip->deactivate)
		chip->deactivate(irq);
}

void irq_end(unsigned irq)
{
	struct percpu *cpu = this_cpu();
	if (cpu->irq_left_active) {
		cpu->irq_left_active = false;
		chip->drop_priority(irq);
	} else {
		chip->complete(irq);
	}
}

void irq_handle(unsigned irq)
{
	if (irq >= IRQ_MAX)
		return;
	this_cpu()->interrupts++;
	irq_handler_fn handler = __atomic_load_n(&slots[irq].handler, __ATOMIC_ACQUIRE);
	if (handler) {
		handler(irq, slots[irq].arg);
	} else if (!slots[irq].reported) {
		slots[irq].reported = true;
		log_warn("interrupt %u on CPU %u has no handler", irq, this_cpu()->id);
	}
}

void irq_dispatch(void)
{
	if (!chip)
		return;
	for (;;) {
		unsigned irq = chip->claim();
		if (irq == IRQ_NONE)
			return;
		irq_handle(irq);
		irq_end(irq);
	}
}
