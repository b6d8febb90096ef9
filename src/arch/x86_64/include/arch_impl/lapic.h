/* SPDX-License-Identifier: Apache-2.0 */
/* The local APIC in xAPIC mode, as the arch uses it (timer, IPIs, INIT/SIPI) and the irqchip driver
 * (src/drivers/irq/lapic.c) enables it. Register offsets: AMD APM vol. 2, 16.3 "Local APIC", table
 * 16-2; Intel SDM vol. 3, 10.4.1. The registers are 32 bits wide, 16-byte aligned. */
#ifndef ARCH_IMPL_LAPIC_H
#define ARCH_IMPL_LAPIC_H

#include "lib/types.h"

#define LAPIC_ID 0x020
#define LAPIC_VERSION 0x030
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_SVR_ENABLE (1u << 8)
#define LAPIC_ESR 0x280
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_THERMAL 0x330
#define LAPIC_LVT_PERF 0x340
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE 0x3e0
#define LAPIC_TIMER_DIVIDE_BY_1 0xb /* 10.5.4 figure 10-10: bits 3, 1, 0 = 1011b */

#define LAPIC_LVT_MASKED (1u << 16)
#define LAPIC_LVT_ONE_SHOT (0u << 17)
#define LAPIC_LVT_TSC_DEADLINE (2u << 17)

/* Interrupt command register (APM vol. 2, 16.5; SDM vol. 3, 10.6.1). */
#define LAPIC_ICR_FIXED (0u << 8)
#define LAPIC_ICR_INIT (5u << 8)
#define LAPIC_ICR_STARTUP (6u << 8)
#define LAPIC_ICR_PENDING (1u << 12)
#define LAPIC_ICR_ASSERT (1u << 14)
#define LAPIC_ICR_LEVEL (1u << 15)

/* The LAPIC's address (from MSR_APIC_BASE, the same on every CPU); set by x86_lapic_setup(). */
extern volatile uint8_t *x86_lapic_regs;

static inline uint32_t lapic_read(unsigned reg)
{
	return *(volatile uint32_t *)(x86_lapic_regs + reg);
}

static inline void lapic_write(unsigned reg, uint32_t value)
{
	*(volatile uint32_t *)(x86_lapic_regs + reg) = value;
}

static inline uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

static inline void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

/* Finds the LAPIC from MSR_APIC_BASE and makes sure it is globally enabled. Every CPU calls it. */
void x86_lapic_setup(void);
/* Sends an interprocessor interrupt and waits until the LAPIC has accepted it. */
void lapic_send_icr(uint32_t apic_id, uint32_t command);

#endif
