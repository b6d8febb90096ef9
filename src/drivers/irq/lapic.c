/* SPDX-License-Identifier: Apache-2.0 */
/* The x86 interrupt controller as the kernel sees it (compatible "x86,lapic-ioapic"): each CPU's
 * local APIC plus the I/O APIC(s), with the legacy 8259 pair remapped and masked. Interrupt
 * numbers are vectors (arch_impl/vectors.h): GSI n arrives on VECTOR_GSI_BASE + n. The arch's trap
 * code identifies the vector itself and sends the EOI, so claim() has nothing to report.
 * boot_info.irqchip: regs[0] = the LAPIC, regs[1..] = the IOAPICs in MADT order.
 * LAPIC: AMD APM vol. 2, 16.3-16.4; Intel SDM vol. 3, 10.4-10.9. */
#include "arch_impl/acpi.h"
#include "arch_impl/io.h"
#include "arch_impl/lapic.h"
#include "arch_impl/vectors.h"
#include "drivers/ioapic.h"
#include "kernel/driver.h"
#include "kernel/irq.h"
#include "kernel/log.h"
#include "lib/errno.h"

/* 8259A programmable interrupt controllers (Intel 8259A datasheet, "Initialization command
 * words"): master at 0x20/0x21, slave at 0xA0/0xA1, slave cascaded on master input 2. */
#define PIC_MASTER_COMMAND 0x20
#define PIC_MASTER_DATA 0x21
#define PIC_SLAVE_COMMAND 0xa0
#define PIC_SLAVE_DATA 0xa1
#define PIC_ICW1_INIT_WITH_ICW4 0x11
#define PIC_ICW4_8086 0x01
#define LVT_DELIVERY_NMI (4u << 8)

/* Remaps the 8259s away from the exception vectors, then masks every input: a spurious IRQ7/IRQ15
 * they may still raise lands in VECTOR_PIC_BASE.., which the trap code ignores. */
static void legacy_pic_mask(void)
{
	outb(PIC_MASTER_COMMAND, PIC_ICW1_INIT_WITH_ICW4);
	outb(PIC_SLAVE_COMMAND, PIC_ICW1_INIT_WITH_ICW4);
	outb(PIC_MASTER_DATA, VECTOR_PIC_BASE);
	outb(PIC_SLAVE_DATA, VECTOR_PIC_BASE + 8);
	outb(PIC_MASTER_DATA, 1 << 2); /* slave on input 2 */
	outb(PIC_SLAVE_DATA, 2);       /* slave's cascade identity */
	outb(PIC_MASTER_DATA, PIC_ICW4_8086);
	outb(PIC_SLAVE_DATA, PIC_ICW4_8086);
	outb(PIC_MASTER_DATA, 0xff);
	outb(PIC_SLAVE_DATA, 0xff);
}

static int x86_irqchip_init(const struct irqchip_desc *desc, const void *fdt)
{
	UNUSED(fdt);
	if (desc->reg_count < 2) {
		log_error("x86 irqchip: need the LAPIC and at least one IOAPIC, got %u regions", desc->reg_count);
		return -EINVAL;
	}
	if (desc->regs[0] != (paddr_t)(uintptr_t)x86_lapic_regs)
		log_warn("x86 irqchip: MADT says LAPIC at %#lx, MSR_APIC_BASE says %p; using the MSR",
			 (unsigned long)desc->regs[0], (void *)x86_lapic_regs);
	legacy_pic_mask();
	for (unsigned i = 1; i < desc->reg_count; i++) {
		uint32_t gsi_base = i - 1 < acpi_platform.ioapic_count ? acpi_platform.ioapics[i - 1].gsi_base : 0;
		int pins = ioapic_add(desc->regs[i], gsi_base);
		if (pins < 0) {
			log_error("x86 irqchip: IOAPIC at %#lx: error %d", (unsigned long)desc->regs[i], pins);
			return pins;
		}
		log_info("x86 irqchip: IOAPIC at %#lx, GSI %u-%u on vectors %#x-%#x", (unsigned long)desc->regs[i],
			 gsi_base, gsi_base + pins - 1, VECTOR_GSI_BASE + gsi_base, VECTOR_GSI_BASE + gsi_base + pins - 1);
	}
	return 0;
}

static void lapic_init_cpu(unsigned cpu_index)
{
	UNUSED(cpu_index);
	/* Everything masked but NMI on LINT1 (the PC wiring); LINT0 would carry the 8259's ExtINT. */
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | VECTOR_TIMER);
	lapic_write(LAPIC_LVT_LINT0, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LVT_DELIVERY_NMI);
	if (((lapic_read(LAPIC_VERSION) >> 16) & 0xff) >= 4)
		lapic_write(LAPIC_LVT_PERF, LAPIC_LVT_MASKED);
	if (((lapic_read(LAPIC_VERSION) >> 16) & 0xff) >= 5)
		lapic_write(LAPIC_LVT_THERMAL, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, VECTOR_LAPIC_ERROR);
	lapic_write(LAPIC_ESR, 0); /* back-to-back writes clear it (SDM vol. 3, 10.5.3) */
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_TPR, 0); /* accept every priority class */
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | VECTOR_SPURIOUS);
	lapic_eoi();               /* drop anything the firmware left in service */
}

/* An IOAPIC input's trigger and polarity: the MADT's override for it if any, else the bus default
 * (ISA IRQs 0-15: edge, active high; PCI above: level, active low -- ACPI 6.4, 5.2.12.5). */
void ioapic_gsi_signalling(uint32_t gsi, bool *level, bool *active_low)
{
	const struct acpi_irq_override *o = acpi_override_for_gsi(gsi);
	uint16_t flags = o ? o->flags : 0;
	bool isa = o != NULL || gsi < 16;
	switch (flags & ACPI_INTI_TRIGGER_MASK) {
	case ACPI_INTI_TRIGGER_EDGE: *level = false; break;
	case ACPI_INTI_TRIGGER_LEVEL: *level = true; break;
	default: *level = !isa; break;
	}
	switch (flags & ACPI_INTI_POLARITY_MASK) {
	case ACPI_INTI_POLARITY_HIGH: *active_low = false; break;
	case ACPI_INTI_POLARITY_LOW: *active_low = true; break;
	default: *active_low = !isa; break;
	}
}

/* IOAPIC inputs go to the CPU that enables them. LAPIC vectors (timer, IPI) need no routing. */
static void x86_irqchip_enable(unsigned irq)
{
	if (irq < VECTOR_GSI_BASE || irq >= VECTOR_GSI_LIMIT)
		return;
	uint32_t gsi = irq - VECTOR_GSI_BASE;
	bool level, active_low;
	ioapic_gsi_signalling(gsi, &level, &active_low);
	if (ioapic_route(gsi, (uint8_t)irq, lapic_id(), level, active_low) < 0)
		log_warn("x86 irqchip: no IOAPIC input for vector %#x (GSI %u)", irq, gsi);
}

static void x86_irqchip_disable(unsigned irq)
{
	/* It fails only for a GSI no IOAPIC serves: nothing reaches a CPU from it to mask, and
	 * x86_irqchip_enable said so when it was enabled. */
	if (irq >= VECTOR_GSI_BASE && irq < VECTOR_GSI_LIMIT)
		(void)ioapic_mask(irq - VECTOR_GSI_BASE);
}

static unsigned x86_irqchip_claim(void)
{
	return IRQ_NONE; /* the vector identifies the interrupt; see irq_handle() */
}

static void x86_irqchip_complete(unsigned irq)
{
	UNUSED(irq);
	lapic_eoi();
}

static const struct irqchip_ops x86_irqchip_ops = {
	.name = "lapic-ioapic",
	.init = x86_irqchip_init,
	.init_cpu = lapic_init_cpu,
	.enable = x86_irqchip_enable,
	.disable = x86_irqchip_disable,
	.claim = x86_irqchip_claim,
	.complete = x86_irqchip_complete,
	.send_ipi = NULL, /* arch_send_ipi sends the reschedule vector itself */
};

static const char *const x86_irqchip_compatible[] = { "x86,lapic-ioapic", NULL };

static const struct driver x86_irqchip_driver = {
	.class = DRIVER_IRQCHIP,
	.name = "lapic-ioapic",
	.compatible = x86_irqchip_compatible,
	.ops = &x86_irqchip_ops,
};
DRIVER_REGISTER(x86_irqchip_driver);
