/* SPDX-License-Identifier: Apache-2.0 */
/* GICv3 host driver: distributor with affinity routing, one redistributor per CPU, and the
 * system-register CPU interface (GICv3/v4 architecture specification IHI0069: 12.9 GICD,
 * 12.10-12.11 GICR, 12.2 ICC). All interrupts are non-secure group 1. */
#include "drivers/gic.h"
#include "arch_impl/sysreg.h"
#include "kernel/driver.h"
#include "kernel/irq.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "lib/errno.h"

#define GICD_CTLR_RWP (1u << 31)
#define GICD_CTLR_ENABLE (1u << 0 | 1u << 1 | 1u << 4) /* Grp0, Grp1, ARE */

#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_TYPER_VLPIS (1ull << 1)
#define GICR_TYPER_LAST (1ull << 4)
#define GICR_SGI_FRAME 0x10000

#define ICC_SRE_SRE 1
#define ICC_SRE_ENABLE 8
/* ICC_CTLR_EL1.EOImode (12.2.6): 1, EOIR only drops the running priority and DIR deactivates, so
 * that an interrupt forwarded to a guest can stay active until the guest's own end of interrupt
 * deactivates it through a list register with HW = 1 (12.4.6). */
#define ICC_CTLR_EOIMODE_DROP (1u << 1)

static paddr_t gicd;
static paddr_t gicr_region;
static uint64_t gicr_region_size;
static unsigned lines;
static paddr_t gicr_sgi_of_cpu[MAX_CPUS]; /* SGI_base of each CPU's redistributor */

static void wait_for_rwp(void)
{
	for (int i = 0; i < 1000000 && (gic_read32(gicd, GICD_CTLR) & GICD_CTLR_RWP); i++)
		;
}

static int gicv3_init(const struct irqchip_desc *desc, const void *fdt)
{
	(void)fdt;
	if (desc->reg_count < 2)
		return -EINVAL;
	gicd = desc->regs[0];
	gicr_region = desc->regs[1];
	gicr_region_size = desc->sizes[1];
	lines = gicd_line_count(gicd);
	gic_write32(gicd, GICD_CTLR, 0);
	wait_for_rwp();
	gicd_reset_spis(gicd, lines, 1); /* the group ICC_IGRPEN1_EL1 signals as IRQ */
	/* Route every SPI to the boot CPU until someone asks otherwise. */
	uint64_t boot = percpu_of(0)->hwid;
	uint64_t route = (boot & 0xffffff) | ((boot >> 32 & 0xff) << 32);
	for (unsigned irq = GIC_FIRST_SPI; irq < lines; irq++)
		*(volatile uint64_t *)(uintptr_t)(gicd + GICD_IROUTER + 8 * irq) = route;
	gic_write32(gicd, GICD_CTLR, GICD_CTLR_ENABLE);
	wait_for_rwp();
	return 0;
}

/* Finds this CPU's redistributor by comparing GICR_TYPER.Affinity_Value with its MPIDR. */
static paddr_t find_redistributor(uint64_t mpidr)
{
	uint32_t affinity = (uint32_t)((mpidr & 0xffffff) | ((mpidr >> 32 & 0xff) << 24));
	for (paddr_t frame = gicr_region; frame < gicr_region + gicr_region_size;) {
		uint64_t typer = *(volatile uint64_t *)(uintptr_t)(frame + GICR_TYPER);
		if ((uint32_t)(typer >> 32) == affinity)
			return frame;
		if (typer & GICR_TYPER_LAST)
			break;
		frame += (typer & GICR_TYPER_VLPIS) ? 0x40000 : 0x20000;
	}
	return 0;
}

static void gicv3_init_cpu(unsigned cpu_index)
{
	paddr_t rd = find_redistributor(read_sysreg(mpidr_el1));
	if (!rd) {
		log_error("GICv3: no redistributor for CPU %u", cpu_index);
		return;
	}
	gic_write32(rd, GICR_WAKER, gic_read32(rd, GICR_WAKER) & ~GICR_WAKER_PROCESSOR_SLEEP);
	for (int i = 0; i < 1000000 && (gic_read32(rd, GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP); i++)
		;
	paddr_t sgi = rd + GICR_SGI_FRAME;
	gicr_sgi_of_cpu[cpu_index] = sgi;
	gic_write32(sgi, GICD_ICENABLER, 0xffffffff);
	gic_write32(sgi, GICD_IGROUPR, 0xffffffff);
	for (unsigned irq = 0; irq < 32; irq++)
		gic_set_priority(sgi + GICD_IPRIORITYR, irq, GIC_DEFAULT_PRIORITY);

	/* System-register interface at EL2 and for EL1 (ICC_SRE_EL2, 12.2.x). */
	write_sysreg(icc_sre_el2, read_sysreg(icc_sre_el2) | ICC_SRE_SRE | ICC_SRE_ENABLE);
	isb();
	write_sysreg(icc_pmr_el1, 0xff);
	write_sysreg(icc_bpr1_el1, 0);
	write_sysreg(icc_ctlr_el1, ICC_CTLR_EOIMODE_DROP);
	write_sysreg(icc_igrpen1_el1, 1);
	isb();
}

static void gicv3_set_enabled(unsigned irq, bool enabled)
{
	if (irq < GIC_FIRST_SPI) {
		paddr_t sgi = gicr_sgi_of_cpu[this_cpu()->id];
		if (sgi)
			gic_set_enabled(sgi + GICD_ISENABLER, irq, enabled);
	} else if (irq < lines) {
		gic_set_enabled(gicd + GICD_ISENABLER, irq, enabled);
	}
}

static void gicv3_enable(unsigned irq)
{
	gicv3_set_enabled(irq, true);
}

static void gicv3_disable(unsigned irq)
{
	gicv3_set_enabled(irq, false);
}

static unsigned gicv3_claim(void)
{
	unsigned intid = (unsigned)read_sysreg(icc_iar1_el1) & 0xffffff;
	return intid >= GIC_SPURIOUS_FIRST && intid < 1024 ? IRQ_NONE : intid;
}

static void gicv3_drop_priority(unsigned irq)
{
	write_sysreg(icc_eoir1_el1, irq);
	isb();
}

static void gicv3_complete(unsigned irq)
{
	write_sysreg(icc_eoir1_el1, irq);
	write_sysreg(icc_dir_el1, irq);
	isb();
}

/* GICD_ICACTIVER (12.9.6), or the redistributor's GICR_ICACTIVER0 for a private interrupt: from any
 * CPU, for an interrupt a guest held active and will not end (its VM reset or went away). */
static void gicv3_deactivate(unsigned irq)
{
	paddr_t bank;
	if (irq < GIC_FIRST_SPI)
		bank = gicr_sgi_of_cpu[this_cpu()->id];
	else
		bank = irq < lines ? gicd : 0;
	if (bank)
		gic_write32(bank, GICD_ICACTIVER + 4 * (irq / 32), 1u << (irq % 32));
}

/* ICC_SGI1R_EL1 (12.2.23): Aff3 [55:48], Aff2 [39:32], INTID [27:24], Aff1 [23:16],
 * target list [15:0] (bit = Aff0). */
static void gicv3_send_ipi(unsigned cpu_index, unsigned sgi)
{
	uint64_t mpidr = percpu_of(cpu_index)->hwid;
	uint64_t value = ((mpidr >> 32 & 0xff) << 48) | ((mpidr >> 16 & 0xff) << 32) |
			 ((uint64_t)(sgi & 0xf) << 24) | ((mpidr >> 8 & 0xff) << 16) | (1ull << (mpidr & 0xf));
	dsb(ishst);
	write_sysreg(icc_sgi1r_el1, value);
	isb();
}

/* GICD_IROUTER<n> (12.9.22): Aff3 [39:32], Aff2..Aff0 [23:0], Interrupt_Routing_Mode 0. */
static void gicv3_route(unsigned irq, unsigned cpu_index)
{
	if (irq < GIC_FIRST_SPI || irq >= lines)
		return;
	uint64_t mpidr = percpu_of(cpu_index)->hwid;
	*(volatile uint64_t *)(uintptr_t)(gicd + GICD_IROUTER + 8 * irq) = (mpidr & 0xffffff) | ((mpidr >> 32 & 0xff) << 32);
}

static const struct irqchip_ops gicv3_ops = {
	.name = "GICv3",
	.init = gicv3_init,
	.init_cpu = gicv3_init_cpu,
	.enable = gicv3_enable,
	.disable = gicv3_disable,
	.claim = gicv3_claim,
	.complete = gicv3_complete,
	.drop_priority = gicv3_drop_priority,
	.deactivate = gicv3_deactivate,
	.send_ipi = gicv3_send_ipi,
	.route = gicv3_route,
};

static const char *const gicv3_compatible[] = { "arm,gic-v3", NULL };
static const struct driver gicv3_driver = {
	.class = DRIVER_IRQCHIP,
	.name = "gicv3",
	.compatible = gicv3_compatible,
	.ops = &gicv3_ops,
};
DRIVER_REGISTER(gicv3_driver);
