/* SPDX-License-Identifier: Apache-2.0 */
/* GICv2 host driver: distributor plus the memory-mapped CPU interface (GICv2 architecture
 * specification IHI0048B: 4.3 distributor, 4.4 CPU interface). */
#include "drivers/gic.h"
#include "kernel/driver.h"
#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "lib/errno.h"

#define GICC_CTLR 0x0000
#define GICC_PMR 0x0004
#define GICC_BPR 0x0008
#define GICC_IAR 0x000c
#define GICC_EOIR 0x0010

static paddr_t gicd, gicc;
static unsigned lines;
static uint8_t cpu_interface_mask[MAX_CPUS]; /* GICD_ITARGETSR bit of each CPU */

static int gicv2_init(const struct irqchip_desc *desc, const void *fdt)
{
	(void)fdt;
	if (desc->reg_count < 2)
		return -EINVAL;
	gicd = desc->regs[0];
	gicc = desc->regs[1];
	lines = gicd_line_count(gicd);
	gic_write32(gicd, GICD_CTLR, 0);
	/* Group 0, the group GICD_CTLR/GICC_CTLR bit 0 enables. On a GIC without the Security
	 * Extensions (QEMU's virt and xlnx-zcu102 unless secure=on) the groups are real (GICv2 has
	 * interrupt grouping, 1.3.3): an SPI put in group 1 while only group 0 was enabled was never
	 * forwarded, so no host SPI ever arrived (the whole-machine Linux got no UART input). Group 0
	 * is signalled as IRQ while GICC_CTLR.FIQEn is 0 (4.4.1). Behind the Security Extensions the
	 * non-secure IGROUPR is RAZ/WI and bit 0 of the non-secure CTLRs enables group 1, the group
	 * the secure firmware gave the non-secure world: the same writes are right there too. */
	gicd_reset_spis(gicd, lines, 0);
	gic_write32(gicd, GICD_CTLR, 1);
	return 0;
}

static void gicv2_init_cpu(unsigned cpu_index)
{
	/* ITARGETSR0-7 are banked: reading them tells this CPU's interface number (4.3.12). */
	uint32_t self = gic_read32(gicd, GICD_ITARGETSR) & 0xff;
	cpu_interface_mask[cpu_index] = (uint8_t)self;
	if (cpu_index == 0) {
		/* Route every SPI to the boot CPU. */
		for (unsigned irq = GIC_FIRST_SPI; irq < lines; irq++)
			*(volatile uint8_t *)(uintptr_t)(gicd + GICD_ITARGETSR + irq) = (uint8_t)self;
	}
	gic_write32(gicd, GICD_ICENABLER, 0xffffffff);
	for (unsigned irq = 0; irq < 32; irq++)
		gic_set_priority(gicd + GICD_IPRIORITYR, irq, GIC_DEFAULT_PRIORITY);
	gic_write32(gicc, GICC_PMR, 0xff);
	gic_write32(gicc, GICC_BPR, 0);
	gic_write32(gicc, GICC_CTLR, 1);
}

static void gicv2_enable(unsigned irq)
{
	if (irq < lines)
		gic_set_enabled(gicd + GICD_ISENABLER, irq, true);
}

static void gicv2_disable(unsigned irq)
{
	if (irq < lines)
		gic_set_enabled(gicd + GICD_ISENABLER, irq, false);
}

static unsigned gicv2_claim(void)
{
	uint32_t iar = gic_read32(gicc, GICC_IAR);
	unsigned intid = iar & 0x3ff;
	if (intid >= GIC_SPURIOUS_FIRST)
		return IRQ_NONE;
	/* For SGIs the source CPU field [12:10] must be echoed in EOIR; keep the whole IAR. */
	return iar & 0x1fff;
}

static void gicv2_complete(unsigned irq)
{
	gic_write32(gicc, GICC_EOIR, irq);
}

static void gicv2_send_ipi(unsigned cpu_index, unsigned sgi)
{
	__asm__ volatile("dsb ishst" ::: "memory");
	/* GICD_SGIR (4.3.15): target list [23:16], SGI number [3:0]. */
	gic_write32(gicd, GICD_SGIR, (uint32_t)cpu_interface_mask[cpu_index] << 16 | (sgi & 0xf));
}

static const struct irqchip_ops gicv2_ops = {
	.name = "GICv2",
	.init = gicv2_init,
	.init_cpu = gicv2_init_cpu,
	.enable = gicv2_enable,
	.disable = gicv2_disable,
	.claim = gicv2_claim,
	.complete = gicv2_complete,
	.send_ipi = gicv2_send_ipi,
};

static const char *const gicv2_compatible[] = { "arm,cortex-a15-gic", NULL };
static const struct driver gicv2_driver = {
	.class = DRIVER_IRQCHIP,
	.name = "gicv2",
	.compatible = gicv2_compatible,
	.ops = &gicv2_ops,
};
DRIVER_REGISTER(gicv2_driver);
