/* SPDX-License-Identifier: Apache-2.0 */
/* Where the local APIC is and how to send it commands. The LAPIC belongs to the CPU, so the arch
 * uses it directly for its timer, IPIs and INIT/SIPI; the irqchip driver (drivers/irq/lapic.c)
 * does the per-CPU enable and the routing. xAPIC MMIO mode (AMD APM vol. 2, 16.3.1). */
#include "arch_impl/lapic.h"
#include "arch_impl/msr.h"
#include "arch/cpu.h"

#define APIC_BASE_ADDRESS_MASK 0x000ffffffffff000UL

volatile uint8_t *x86_lapic_regs;

void x86_lapic_setup(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	if (!(base & MSR_APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, base | MSR_APIC_BASE_ENABLE);
	x86_lapic_regs = (volatile uint8_t *)(uintptr_t)(base & APIC_BASE_ADDRESS_MASK);
}

void lapic_send_icr(uint32_t apic_id, uint32_t command)
{
	/* The two ICR writes must not be split by an interrupt handler sending an IPI of its own. */
	unsigned long flags = arch_irq_save();
	while (lapic_read(LAPIC_ICR_LOW) & LAPIC_ICR_PENDING)
		arch_cpu_relax();
	lapic_write(LAPIC_ICR_HIGH, apic_id << 24);
	lapic_write(LAPIC_ICR_LOW, command);
	while (lapic_read(LAPIC_ICR_LOW) & LAPIC_ICR_PENDING)
		arch_cpu_relax();
	arch_irq_restore(flags);
}
