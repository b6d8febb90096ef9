/* SPDX-License-Identifier: Apache-2.0 */
/* The CSRs of the RISC-V Advanced Interrupt Architecture (AIA 1.0: 2.2 supervisor-level CSRs, 2.3
 * hypervisor and VS CSRs) and the registers of an IMSIC interrupt file reached through them (3.7,
 * 3.8). LLVM 14's assembler names none of them: they go by number (csr_read_num and friends).
 * An interrupt file is one hart's set of external interrupt identities 1..num_ids-1: a pending and
 * an enable bit each, a delivery switch and a threshold. Its "*topei" CSR names the best pending and
 * enabled identity, and writing it claims that one (3.9). */
#ifndef ARCH_IMPL_AIA_H
#define ARCH_IMPL_AIA_H

#include "arch_impl/csr.h"

#define CSR_SISELECT 0x150
#define CSR_SIREG 0x151
#define CSR_STOPEI 0x15c
#define CSR_VSISELECT 0x250
#define CSR_VSIREG 0x251
/* hgeie and hgeip (H extension, privileged spec 20211203, 8.2.4), which the assembler names:
 * hgeie enables, hgeip shows, the guest external interrupts of the hart's guest interrupt files,
 * bit g for file g (1..GEILEN). */

/* hip/hie bit 12: a guest interrupt file that hgeie enables has an interrupt (8.2.3). */
#define IRQ_S_GUEST_EXT 12
#define SIE_SGEIE (1UL << IRQ_S_GUEST_EXT)
/* hstatus.VGEIN (8.2.1): the guest file whose interrupt is the guest's VSEIP (0: none). */
#define HSTATUS_VGEIN_SHIFT 12
#define HSTATUS_VGEIN_MASK (0x3fUL << HSTATUS_VGEIN_SHIFT)

/* Interrupt-file registers by *iselect number (3.8): on RV64 only even eip/eie numbers exist, each
 * holding 64 identities (odd ones raise illegal instruction). */
#define IMSIC_EIDELIVERY 0x70
#define IMSIC_EITHRESHOLD 0x72
#define IMSIC_EIP0 0x80
#define IMSIC_EIE0 0xc0
#define IMSIC_TOPEI_ID_SHIFT 16
#define IMSIC_TOPEI_ID_MASK 0x7ffu

#ifndef __ASSEMBLY__
#include "lib/types.h"

/* The register number of the eip/eie word holding `id` (0x80 or 0xc0 as `first`). */
static inline unsigned long imsic_bits_reg(unsigned long first, unsigned id)
{
	return first + 2 * (id / 64);
}

/* This hart's supervisor file. Interrupts masked: siselect is shared with any handler. */
static inline unsigned long imsic_s_read(unsigned long reg)
{
	csr_write_num(CSR_SISELECT, reg);
	return csr_read_num(CSR_SIREG);
}

static inline void imsic_s_write(unsigned long reg, unsigned long value)
{
	csr_write_num(CSR_SISELECT, reg);
	csr_write_num(CSR_SIREG, value);
}

/* The guest file hstatus.VGEIN selects on this hart (AIA 1.0, 2.3: vsiselect 0x70-0xff). */
static inline unsigned long imsic_vs_read(unsigned long reg)
{
	csr_write_num(CSR_VSISELECT, reg);
	return csr_read_num(CSR_VSIREG);
}

static inline void imsic_vs_write(unsigned long reg, unsigned long value)
{
	csr_write_num(CSR_VSISELECT, reg);
	csr_write_num(CSR_VSIREG, value);
}

/* The handler of the guest external interrupt (scause 12) on every CPU, in interrupt context. */
void riscv_set_guest_external_handler(void (*handler)(void));

/* Claims the supervisor file's best pending and enabled identity, or 0 (3.9: any write claims the
 * one read). */
static inline unsigned imsic_s_claim(void)
{
	return (unsigned)(csr_swap_num(CSR_STOPEI, 0) >> IMSIC_TOPEI_ID_SHIFT) & IMSIC_TOPEI_ID_MASK;
}
#endif /* __ASSEMBLY__ */

#endif
