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
#define GICC_IIDR 0x00fc
#define GICC_DIR 0x1000
/* GICC_CTLR (4.4.1): EnableGrp0, and EOImode: 1, an EOIR write only drops the running priority and
 * GICC_DIR deactivates, so that an interrupt forwarded to a guest stays active until the guest's
 * own end of interrupt deactivates it through a list register with HW = 1 (5.3.11). Bit 9 is
 * EOImodeS without the Security Extensions and EOImodeNS in the non-secure view behind them. */
#define GICC_CTLR_ENABLE 1u
#define GICC_CTLR_EOIMODE (1u << 9)

static paddr_t gicd, gicc;
static uint32_t gicc_dir; /* GICC_DIR's offset: in the CPU interface's second 4 KiB page */
static unsigned lines;
static uint8_t cpu_interface_mask[MAX_CPUS]; /* GICD_ITARGETSR bit of each CPU */

static int gicv2_init(const struct irqchip_desc *desc, const void *fdt)
{
	(void)fdt;
	if (desc->reg_count < 2)
		return -EINVAL;
	gicd = desc->regs[0];
	gicc = desc->regs[1];
	/* A GIC-400 may repeat each 4 KiB page of its CPU interface over 64 KiB (its tree then gives
	 * the interface 128 KiB, as the ZCU102's does): the second page, GICC_DIR's, is 64 KiB up.
	 * Told apart as Linux's gic_check_eoimode does, by the first page's ID register showing again
	 * at its last 4 KiB. */
	bool paged_64k = desc->sizes[1] >= 0x20000 && gic_read32(gicc, GICC_IIDR) == gic_read32(gicc, 0xf000 + GICC_IIDR);
	gicc_dir = paged_64k ? 0x10000 : GICC_DIR;
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
	gic_write32(gicc, GICC_CTLR, GICC_CTLR_ENABLE | GICC_CTLR_EOIMODE);
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

paddr_t gicv2_cpu_interface(paddr_t *dir)
{
	*dir = gicc ? gicc + gicc_dir : 0;
	return gicc;
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

static void gicv2_drop_priority(unsigned irq)
{
	gic_write32(gicc, GICC_EOIR, irq);
}

static void gicv2_complete(unsigned irq)
{
	gic_write32(gicc, GICC_EOIR, irq);
	gic_write32(gicc, gicc_dir, irq);
}

/* GICD_ICACTIVER (4.3.9): an SPI a guest held active and will not end (its VM reset or went away).
 * A private interrupt's bank is the calling CPU's. */
static void gicv2_deactivate(unsigned irq)
{
	if (irq < lines)
		gic_write32(gicd, GICD_ICACTIVER + 4 * (irq / 32), 1u << (irq % 32));
}

static void gicv2_send_ipi(unsigned cpu_index, unsigned sgi)
{
	__asm__ volatile("dsb ishst" ::: "memory");
	/* GICD_SGIR (4.3.15): target list [23:16], SGI number [3:0]. */
	gic_write32(gicd, GICD_SGIR, (uint32_t)cpu_interface_mask[cpu_index] << 16 | (sgi & 0xf));
}

/* GICD_ITARGETSR (4.3.12): one byte per interrupt, the CPU interfaces it goes to. A passed-through
 * SPI follows its vCPU, so that it is taken, and its active state ended by the guest, on the same
 * CPU interface (QEMU's GICv2 model keeps an SPI's active state per CPU interface). */
static void gicv2_route(unsigned irq, unsigned cpu_index)
{
	if (irq < GIC_FIRST_SPI || irq >= lines || cpu_index >= MAX_CPUS)
		return;
	*(volatile uint8_t *)(uintptr_t)(gicd + GICD_ITARGETSR + irq) = cpu_interface_mask[cpu_index];
}

static const struct irqchip_ops gicv2_ops = {
	.name = "GICv2",
	.init = gicv2_init,
	.init_cpu = gicv2_init_cpu,
	.enable = gicv2_enable,
	.disable = gicv2_disable,
	.claim = gicv2_claim,
	.complete = gicv2_complete,
	.drop_priority = gicv2_drop_priority,
	.deactivate = gicv2_deactivate,
	.send_ipi = gicv2_send_ipi,
	.route = gicv2_route,
};

static const char *const gicv2_compatible[] = { "arm,cortex-a15-gic", NULL };
static const struct driver gicv2_driver = {
	.class = DRIVER_IRQCHIP,
	.name = "gicv2",
	.compatible = gicv2_compatible,
	.ops = &gicv2_ops,
};
DRIVER_REGISTER(gicv2_driver);
