/* SPDX-License-Identifier: Apache-2.0 */
/* Hypervisor-extension CSRs and instructions (RISC-V privileged spec 20211203, chapter 8).
 * LLVM 14 knows the CSR names but not hfence.*, hlv* or hsv*: those are emitted with .insn
 * (encodings: 8.2.x "Hypervisor Virtual-Machine Load and Store Instructions", 8.3.2 fences;
 * opcode SYSTEM 0x73, funct3 0 for fences and 4 for HLV/HSV). Usable from C and assembly. */
#ifndef ARCH_IMPL_HCSR_H
#define ARCH_IMPL_HCSR_H

/* hstatus (8.2.1) */
#define HSTATUS_SPV (1UL << 7)
#define HSTATUS_SPVP (1UL << 8)
#define HSTATUS_VTVM (1UL << 20)
#define HSTATUS_VTW (1UL << 21)
#define HSTATUS_VTSR (1UL << 22)
#define HSTATUS_VSXL_64 (2UL << 32)

/* hvip / hip / hie bits (8.2.3): VS-level interrupts at their cause positions. */
#define HVIP_VSSIP (1UL << 2)
#define HVIP_VSTIP (1UL << 6)
#define HVIP_VSEIP (1UL << 10)
#define HVIP_ALL (HVIP_VSSIP | HVIP_VSTIP | HVIP_VSEIP)

/* hgatp (8.2.10): MODE 8 = Sv39x4, VMID in bits 57:44. */
#define HGATP_MODE_SV39X4 (8UL << 60)
#define HGATP_VMID_SHIFT 44
#define HGATP_VMID_MASK (0x3fffUL << HGATP_VMID_SHIFT)

/* henvcfg (8.2.6): STCE lets the guest use vstimecmp (Sstc). */
#define HENVCFG_STCE (1UL << 63)

/* sstatus.FS (3.1.6.6): Off 0, Initial 1, Clean 2, Dirty 3. */
#define SSTATUS_FS_MASK (3UL << 13)
#define SSTATUS_FS_CLEAN (2UL << 13)
#define SSTATUS_FS_DIRTY (3UL << 13)

#define CSR_VSTIMECMP 0x24d
#define CSR_HENVCFG 0x60a
#define CSR_HTIMEDELTA 0x605 /* the guest's time is the host's plus this (H extension 8.2.7) */

#ifndef __ASSEMBLY__
#include "arch_impl/csr.h"
#include "lib/types.h"

/* HFENCE.GVMA x0, vmid: every G-stage (and combined) entry of one VMID on this hart. */
static inline void hfence_gvma_vmid(unsigned long vmid)
{
	__asm__ __volatile__(".insn r 0x73, 0x0, 0x31, x0, x0, %0" : : "r"(vmid) : "memory");
}

/* HFENCE.GVMA x0, x0: every G-stage entry of every VMID on this hart. */
static inline void hfence_gvma_all(void)
{
	__asm__ __volatile__(".insn r 0x73, 0x0, 0x31, x0, x0, x0" : : : "memory");
}

/* HFENCE.VVMA x0, x0: every VS-stage entry of the VMID in hgatp on this hart. */
static inline void hfence_vvma_all(void)
{
	__asm__ __volatile__(".insn r 0x73, 0x0, 0x11, x0, x0, x0" : : : "memory");
}

/* guest_entry.S: a guest's instruction at a guest virtual address, read as instruction fetch
 * (HLVX.HU) with the guest's translation; its length (2 or 4), or -1 when a read faulted (the
 * fault went through trap_entry: sepc, sstatus and the trap CSRs no longer hold the guest's). */
__must_check int guest_read_insn(uint64_t guest_va, uint32_t *insn);
#endif

#endif
