/* SPDX-License-Identifier: Apache-2.0 */
/* Distributor helpers shared by the GICv2 and GICv3 drivers (see drivers/gic.h). */
#include "drivers/gic.h"

unsigned gicd_line_count(paddr_t gicd)
{
	unsigned lines = 32 * ((gic_read32(gicd, GICD_TYPER) & 0x1f) + 1);
	return lines > 1020 ? 1020 : lines;
}

void gicd_reset_spis(paddr_t gicd, unsigned lines, unsigned group)
{
	for (unsigned irq = GIC_FIRST_SPI; irq < lines; irq += 32) {
		gic_write32(gicd, GICD_ICENABLER + irq / 8, 0xffffffff);
		gic_write32(gicd, GICD_ICPENDR + irq / 8, 0xffffffff);
		gic_write32(gicd, GICD_ICACTIVER + irq / 8, 0xffffffff);
		gic_write32(gicd, GICD_IGROUPR + irq / 8, group ? 0xffffffff : 0);
	}
	for (unsigned irq = GIC_FIRST_SPI; irq < lines; irq++)
		gic_set_priority(gicd + GICD_IPRIORITYR, irq, GIC_DEFAULT_PRIORITY);
}

void gic_set_enabled(paddr_t bank_base, unsigned irq, bool enabled)
{
	/* ISENABLER and ICENABLER sit 0x80 apart; writing 1 sets or clears, 0 does nothing. */
	paddr_t reg = bank_base + (enabled ? 0 : 0x80) + 4 * (irq / 32);
	*(volatile uint32_t *)(uintptr_t)reg = 1u << (irq % 32);
}

void gic_set_priority(paddr_t priority_base, unsigned irq, uint8_t priority)
{
	*(volatile uint8_t *)(uintptr_t)(priority_base + irq) = priority;
}
