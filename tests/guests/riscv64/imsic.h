/* SPDX-License-Identifier: Apache-2.0 */
/* A guest's own IMSIC (RISC-V AIA 1.0, 3: a supervisor interrupt file per hart, a 4 KiB page each
 * from IMSIC_BASE, where the test configs put it), for the riscv64 test guests that use one (aia.c,
 * ipibench.c). In VS-mode siselect/sireg/stopei reach the guest interrupt file Tessera gives the
 * vCPU, without an exit. */
#ifndef TEST_GUEST_IMSIC_H
#define TEST_GUEST_IMSIC_H

#include <stdint.h>

#define IMSIC_BASE 0x28000000UL
#define CSR_SISELECT 0x150
#define CSR_SIREG 0x151
#define CSR_STOPEI 0x15c
#define IMSIC_EIDELIVERY 0x70
#define IMSIC_EITHRESHOLD 0x72
#define IMSIC_EIE0 0xc0 /* identities 0-63 on RV64 */
#define SIE_SEIE (1UL << 9)

static inline void imsic_write(uint64_t reg, uint64_t value)
{
	__asm__ volatile("csrw %0, %1" :: "i"(CSR_SISELECT), "r"(reg));
	__asm__ volatile("csrw %0, %1" :: "i"(CSR_SIREG), "r"(value));
}

/* Delivery on, no threshold, the identities in `enabled` (bits 1-63) enabled. */
static inline void imsic_setup(uint64_t enabled)
{
	imsic_write(IMSIC_EIDELIVERY, 1);
	imsic_write(IMSIC_EITHRESHOLD, 0);
	imsic_write(IMSIC_EIE0, enabled);
}

/* Claims the best pending identity (3.9), or returns 0. */
static inline uint64_t imsic_claim(void)
{
	uint64_t v;
	__asm__ volatile("csrrw %0, %1, zero" : "=r"(v) : "i"(CSR_STOPEI) : "memory");
	return (v >> 16) & 0x7ff;
}

/* An MSI: identity to hart's file. */
static inline void imsic_send(uint64_t hart, uint32_t identity)
{
	*(volatile uint32_t *)(IMSIC_BASE + 0x1000 * hart) = identity;
}

#endif
