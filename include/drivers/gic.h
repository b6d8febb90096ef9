/* SPDX-License-Identifier: Apache-2.0 */
/* Arm GIC distributor registers shared by the GICv2 and GICv3 drivers (GICv3/v4 architecture
 * specification IHI0069, 12.9; GICv2 IHI0048, 4.3). */
#ifndef DRIVERS_GIC_H
#define DRIVERS_GIC_H

#include "lib/types.h"

#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ICPENDR 0x0280
#define GICD_ICACTIVER 0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ITARGETSR 0x0800
#define GICD_ICFGR 0x0c00
#define GICD_SGIR 0x0f00
#define GICD_IROUTER 0x6000

#define GIC_SPURIOUS_FIRST 1020 /* INTIDs 1020-1023 are special (no interrupt) */
#define GIC_FIRST_SPI 32
#define GIC_DEFAULT_PRIORITY 0xa0

static inline uint32_t gic_read32(paddr_t base, uint32_t offset)
{
	return *(volatile uint32_t *)(uintptr_t)(base + offset);
}

static inline void gic_write32(paddr_t base, uint32_t offset, uint32_t value)
{
	*(volatile uint32_t *)(uintptr_t)(base + offset) = value;
}

/* Number of interrupt lines the distributor implements (GICD_TYPER.ITLinesNumber). */
unsigned gicd_line_count(paddr_t gicd);
/* Every SPI: in the given group (0 or 1), default priority, disabled, inactive, not pending. */
void gicd_reset_spis(paddr_t gicd, unsigned lines, unsigned group);
/* Sets or clears one enable bit in a GICD_ISENABLER/ICENABLER-style bank at 'bank_base'. */
void gic_set_enabled(paddr_t bank_base, unsigned irq, bool enabled);
void gic_set_priority(paddr_t priority_base, unsigned irq, uint8_t priority);
/* The GICv2 driver's CPU interface (GICC_IAR at +0x0c, GICC_EOIR at +0x10) and the address of its
 * GICC_DIR (the second 4 KiB page, 4 KiB or 64 KiB up); 0 when the host's GIC is not a GICv2. */
paddr_t gicv2_cpu_interface(paddr_t *dir);

#endif
