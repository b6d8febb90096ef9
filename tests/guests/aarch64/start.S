/* SPDX-License-Identifier: Apache-2.0 */
/* Test-guest entry for aarch64 (Linux arm64 boot protocol: EL1, MMU off, x0 = DTB). Sets up a
 * stack per vCPU, a vector table that sends synchronous exceptions to guest_sync_exception, and
 * calls guest_main(x0) on the boot vCPU or secondary_main(context) on vCPUs started by CPU_ON. */
	.section .text.start, "ax"
	.global _start
_start:
	mov	x19, x0
	ldr	x1, =vectors
	msr	vbar_el1, x1
	mov	x1, #(3 << 20)		/* CPACR_EL1.FPEN: no FP traps */
	msr	cpacr_el1, x1
	isb
	ldr	x1, =stacks + 4096
	mov	sp, x1
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	mov	x0, x19
	bl	guest_main
	b	.

	.global secondary_start
secondary_start:			/* x0 = context: the vCPU index */
	mov	x19, x0
	ldr	x1, =vectors
	msr	vbar_el1, x1
	ldr	x1, =stacks + 4096
	add	x1, x1, x19, lsl #12
	mov	sp, x1
	mov	x1, #(3 << 20)
	msr	cpacr_el1, x1
	isb
	mov	x0, x19
	bl	secondary_main
	b	.

/* Synchronous exceptions from EL1h go to C with the saved ELR; C returns the address to resume. */
	.balign	0x800
vectors:
	.balign	0x80
	b	.			/* EL1t sync */
	.balign	0x80
	b	.
	.balign	0x80
	b	.
	.balign	0x80
	b	.
	.balign	0x80			/* EL1h sync: +0x200 */
	b	sync_handler
	.balign	0x80			/* EL1h IRQ: +0x280 */
	b	irq_handler
	.balign	0x80
	b	.
	.balign	0x80
	b	.

sync_handler:
	sub	sp, sp, #256
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x30, [sp, #144]
	mrs	x0, esr_el1
	mrs	x1, far_el1
	mrs	x2, elr_el1
	bl	guest_sync_exception
	msr	elr_el1, x0
	b	restore

irq_handler:
	sub	sp, sp, #256
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x30, [sp, #144]
	bl	guest_irq
restore:
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x30, [sp, #144]
	add	sp, sp, #256
	eret

	.bss
	.balign	16
	.global stacks
stacks:
	.space	4096 * 9
