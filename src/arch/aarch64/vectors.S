/* SPDX-License-Identifier: Apache-2.0 */
/* EL2 exception vectors (Arm ARM D1.10.2: 16 entries of 0x80 bytes, table 2 KiB aligned).
 * Exceptions taken at EL2 save x0/x1, load their index and join trap_entry, which completes the
 * frame (struct trap_frame) and calls arch_trap(frame, index). Exceptions from a guest (lower EL)
 * go to guest_exit instead. */
#include "arch_impl/trap_frame.h"

.macro VECTOR index
	.balign	0x80
	sub	sp, sp, #TRAP_FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\index
	b	trap_entry
.endm

/* From a guest: its x0/x1 go on the hypervisor stack, the rest is guest_exit's (guest.S). */
.macro GUEST_VECTOR index
	.balign	0x80
	stp	x0, x1, [sp, #-16]!
	mov	x0, #\index
	b	guest_exit
.endm

/* An IRQ from a guest: guest_irq_exit may answer it without guest_exit (the virtual timer). */
.macro GUEST_IRQ_VECTOR
	.balign	0x80
	stp	x0, x1, [sp, #-16]!
	b	guest_irq_exit
.endm

	.text
	.balign	0x800
	.global exception_vectors
exception_vectors:
	VECTOR 0	/* current EL, SP_EL0: synchronous */
	VECTOR 1	/* IRQ */
	VECTOR 2	/* FIQ */
	VECTOR 3	/* SError */
	VECTOR 4	/* current EL, SP_EL2: synchronous */
	VECTOR 5	/* IRQ */
	VECTOR 6	/* FIQ */
	VECTOR 7	/* SError */
	GUEST_VECTOR 8	/* lower EL, AArch64: synchronous */
	GUEST_IRQ_VECTOR	/* IRQ (9) */
	GUEST_VECTOR 10	/* FIQ */
	GUEST_VECTOR 11	/* SError */
	GUEST_VECTOR 12	/* lower EL, AArch32 */
	GUEST_VECTOR 13
	GUEST_VECTOR 14
	GUEST_VECTOR 15

trap_entry:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x30, x2, [sp, #240]
	add	x4, sp, #TRAP_FRAME_SIZE
	stp	x3, x4, [sp, #256]
	mov	x1, x0
	mov	x0, sp
	bl	arch_trap
	ldp	x30, x2, [sp, #240]
	ldr	x3, [sp, #256]
	msr	elr_el2, x2
	msr	spsr_el2, x3
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	add	sp, sp, #TRAP_FRAME_SIZE
	eret
