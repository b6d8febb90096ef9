/* SPDX-License-Identifier: Apache-2.0 */
/* aarch64 entry. The image starts with the Linux arm64 Image header (Linux
 * Documentation/arch/arm64/booting.rst, "Call the kernel image"), so QEMU and U-Boot load it at
 * RAM base + text_offset and enter it with x0 = the device tree, MMU off, at EL2 when the
 * platform has EL2. Secondary CPUs arrive through PSCI CPU_ON at secondary_entry. */
#include "arch_impl/trap_frame.h"

/* HCR_EL2 (Arm ARM D19.2.49): EL1 is AArch64 (RW); physical IRQ, FIQ and SError go to EL2
 * (IMO, FMO, AMO): without these, interrupts aimed at EL1 are never taken while at EL2. */
#define HCR_EL2_VALUE ((1 << 31) | (1 << 5) | (1 << 4) | (1 << 3))
#define CPTR_EL2_RES1 0x33ff      /* no FP/SIMD traps; RES1 bits 0-7, 9, 12, 13 (D19.2.30) */
#define CNTHCTL_EL1PCTEN_EL1PCEN 3 /* EL1 may use the physical counter and timer (D19.12.x) */
#define SCTLR_EL2_RES1 0x30c50830 /* MMU and caches off until mmu.c turns them on (D19.2.118) */

	.section .text.head, "ax"
	.global _start
_start:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0x80000			/* text_offset */
	.quad	__image_size		/* image_size, BSS included */
	.quad	0x2			/* flags: little endian, 4 KiB pages, 2 MiB-aligned near RAM base */
	.quad	0, 0, 0			/* reserved */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* no PE/COFF header */

primary_entry:
	msr	daifset, #0xf
	mrs	x1, cntpct_el0		/* the start-up's first tick (kernel/main.c) */
	adrp	x2, boot_entry_counter
	str	x1, [x2, :lo12:boot_entry_counter]
	mov	x19, x0			/* the device tree */
	ldr	x1, =boot_stack_top
	mov	sp, x1
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:	mrs	x1, CurrentEL
	ubfx	x1, x1, #2, #2
	cmp	x1, #2
	b.ne	3f
	bl	el2_setup
	ldr	x0, =percpus		/* logical CPU 0 */
	msr	tpidr_el2, x0
	mov	x0, x19
	bl	arch_boot_main
	b	.
3:	/* No EL2 (or EL3): say so and power off; arch_boot_without_el2 uses no EL2 register. */
	mov	x0, x19
	bl	arch_boot_without_el2
	b	.

/* x0 = logical CPU index (the PSCI context id). */
	.text
	.global secondary_entry
secondary_entry:
	msr	daifset, #0xf
	mov	x19, x0
	bl	el2_setup
	ldr	x1, =secondary_boot	/* { stack top, per-CPU pointer } per CPU */
	add	x1, x1, x19, lsl #4
	ldp	x2, x3, [x1]
	mov	sp, x2
	msr	tpidr_el2, x3
	mov	x0, x19
	bl	arch_secondary_main
	b	.

/* EL2 state every CPU needs before C code: vectors, EL1 execution state, traps. */
el2_setup:
	ldr	x0, =exception_vectors
	msr	vbar_el2, x0
	ldr	x0, =HCR_EL2_VALUE
	msr	hcr_el2, x0
	mov	x0, #CPTR_EL2_RES1
	msr	cptr_el2, x0
	mov	x0, #CNTHCTL_EL1PCTEN_EL1PCEN
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr
	ldr	x0, =SCTLR_EL2_RES1
	msr	sctlr_el2, x0
	isb
	ret

	.bss
	.balign	16
boot_stack:
	.space	16384
	.global boot_stack_top
boot_stack_top:
