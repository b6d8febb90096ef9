/* SPDX-License-Identifier: Apache-2.0 */
/* The little of a GIC the benchmark guests use (bench.c, spilat.c): start the CPU interface,
 * enable one interrupt for CPU 0, acknowledge and end. A GICv3 through its system registers
 * (the default), or with GUEST_GICV2 a GICv2 through its memory-mapped CPU interface, for GICv2
 * hosts such as the ZCU102's GIC-400. GICD_BASE/GICC_BASE default to where the guests' configs put
 * their vGIC; the bare-QEMU builds of the ZCU102 guests define the board's. */
#ifndef GIC_GUEST_H
#define GIC_GUEST_H

#include "guest.h"

#ifndef GICD_BASE
#define GICD_BASE 0x08000000UL
#endif

static inline volatile uint32_t *gicd(unsigned offset)
{
	return (volatile uint32_t *)(GICD_BASE + offset);
}

#ifdef GUEST_GICV2
#ifndef GICC_BASE
#define GICC_BASE 0x08010000UL
#endif

static inline volatile uint32_t *gicc(unsigned offset)
{
	return (volatile uint32_t *)(GICC_BASE + offset);
}

/* GICv2 (IHI0048B): distributor and CPU interface enabled for group 0, every priority let through. */
static inline void gic_start(void)
{
	*gicd(0x000) = 1;   /* GICD_CTLR */
	*gicc(0x004) = 0xff; /* GICC_PMR */
	*gicc(0x000) = 1;   /* GICC_CTLR */
}

static inline void gic_enable(unsigned intid)
{
	if (intid >= 32)
		*(volatile uint8_t *)(GICD_BASE + 0x800 + intid) = 1; /* GICD_ITARGETSR: CPU interface 0 */
	*gicd(0x100 + 4 * (intid / 32)) = 1u << (intid % 32);      /* GICD_ISENABLER */
}

/* The whole IAR: GICC_EOIR takes it back as it came. */
static inline uint32_t gic_ack(void)
{
	return *gicc(0x00c); /* GICC_IAR */
}

static inline unsigned gic_intid(uint32_t ack)
{
	return ack & 0x3ff;
}

static inline void gic_end(uint32_t ack)
{
	*gicc(0x010) = ack; /* GICC_EOIR */
}
#else
#define GICR_BASE 0x080a0000UL
#define GICR_SGI_BASE (GICR_BASE + 0x10000)

/* GICv3 (IHI0069): system-register interface, group 1, the redistributor awake (bare QEMU's
 * starts asleep), affinity routing. */
static inline void gic_start(void)
{
	write_reg("S3_0_C12_C12_5", 1); /* ICC_SRE_EL1 */
	__asm__ volatile("isb");
	write_reg("S3_0_C4_C6_0", 0xff); /* ICC_PMR_EL1 */
	write_reg("S3_0_C12_C12_7", 1);  /* ICC_IGRPEN1_EL1 */
	*(volatile uint32_t *)(GICR_BASE + 0x14) = 0; /* GICR_WAKER */
	*gicd(0x000) = 0x12;                           /* GICD_CTLR: ARE, group 1 */
}

static inline void gic_enable(unsigned intid)
{
	uint32_t bit = 1u << (intid % 32);
	if (intid < 32) {
		*(volatile uint32_t *)(GICR_SGI_BASE + 0x080) = bit; /* GICR_IGROUPR0: group 1 */
		*(volatile uint32_t *)(GICR_SGI_BASE + 0x100) = bit; /* GICR_ISENABLER0 */
		return;
	}
	*gicd(0x080 + 4 * (intid / 32)) = bit;                          /* GICD_IGROUPR: group 1 */
	*(volatile uint64_t *)(GICD_BASE + 0x6000 + 8 * intid) = 0;     /* GICD_IROUTER: CPU 0 */
	*gicd(0x100 + 4 * (intid / 32)) = bit;                          /* GICD_ISENABLER */
}

static inline uint32_t gic_ack(void)
{
	return (uint32_t)read_reg("S3_0_C12_C12_0"); /* ICC_IAR1_EL1 */
}

static inline unsigned gic_intid(uint32_t ack)
{
	return ack & 0xffffff;
}

static inline void gic_end(uint32_t ack)
{
	write_reg("S3_0_C12_C12_1", ack); /* ICC_EOIR1_EL1 */
}
#endif

#endif
