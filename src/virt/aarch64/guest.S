/* SPDX-License-Identifier: Apache-2.0 */
/* Entering and leaving a guest (Arm ARM D1.10 exception entry, C5.2 ERET). guest_run saves the
 * host's callee-saved registers on the hypervisor stack, records the guest register block in the
 * per-CPU scratch word 0, loads the guest's registers and ERETs. An exception from the guest
 * lands in the lower-EL vectors (vectors.S), which push x0/x1 and jump to guest_exit with the
 * vector index in x0. guest_exit stores the guest's registers and asks C (interrupts masked)
 * whether the exit can be finished in place, first guest_exit_quick with only the registers C may
 * clobber saved, then guest_exit_handler with all of them: if so it re-enters the guest at once
 * from the register block returned; otherwise it returns the vector index to the caller of
 * guest_run. SP_EL2 is untouched by the guest, so it still points at our frame. */
#include "virt_impl/vm.h"

/* The guest's x19-x29, which C keeps (callee-saved), to or from the register block at \base:
 * loaded on entry, stored only when an exit needs the full handler. */
.macro guest_x19_to_x29 one, pair, base
	\one	x19, [\base, #GUEST_REGS_X19]
	\pair	x20, x21, [\base, #GUEST_REGS_X19 + 8]
	\pair	x22, x23, [\base, #GUEST_REGS_X19 + 24]
	\pair	x24, x25, [\base, #GUEST_REGS_X19 + 40]
	\pair	x26, x27, [\base, #GUEST_REGS_X19 + 56]
	\pair	x28, x29, [\base, #GUEST_REGS_X19 + 72]
.endm

	.text
	.global guest_run
guest_run:			/* x0 = struct guest_regs * */
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
guest_enter:			/* x0 = struct guest_regs *, host frame on the stack */
	mrs	x1, tpidr_el2
	str	x0, [x1]		/* percpu.arch_scratch[0] */
	guest_x19_to_x29 ldr, ldp, x0
	b	guest_load_rest

guest_resume_quick:		/* x0 = struct guest_regs *; x19-x29 still hold the guest's values */
	add	sp, sp, #16		/* the vector guest_exit kept */
guest_load_rest:		/* x0 = struct guest_regs *: PC, PSTATE, x0-x18, x30, then ERET */
	ldp	x1, x2, [x0, #GUEST_REGS_PC]
	msr	elr_el2, x1
	msr	spsr_el2, x2
	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldr	x18, [x0, #144]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0, #0]
	eret

/* An IRQ from the guest (vectors.S, the guest's x0/x1 at [sp]). The guest's own virtual timer,
 * firing again while the list register the C path put it in last time is free (the guest ended
 * it), is injected here with four registers saved: the timer's output masked (the guest
 * reprograms it in its handler, vtimer.c), the same list register made pending again, the host
 * interrupt ended as the GIC drivers end one (EOImode 1: EOIR drops the priority, DIR
 * deactivates), the exit counted (vcpu_count_exit). What the C path would have done to the model
 * (vgic_private_in_place refilling that register) is nothing more: the interrupt stays in_lr.
 * A GICv3 through its system registers, a GICv2 through its CPU interface and GICH frames.
 * Anything else goes to guest_exit as vector 9, an interrupt already acknowledged handed over in
 * percpu.arch_scratch[2] as the driver's claim would return it (irq_in_place takes it there).
 * With lr = -1, or while the timer's condition is not met (CNTV_CTL_EL0.ISTATUS, D11.2.4: the
 * interrupt is another's), no GIC register is touched. */
	.global guest_irq_exit
guest_irq_exit:
	mrs	x1, tpidr_el2
	ldr	x1, [x1]			/* percpu.arch_scratch[0]: the guest's registers */
	ldr	x0, [x1, #GUEST_VTIMER_FAST + VTIMER_FAST_LR]
	tbnz	x0, #63, 3f			/* -1: the model is the truth */
	stp	x2, x3, [sp, #-16]!
	mrs	x2, cntv_ctl_el0
	tbz	x2, #2, 2f			/* ISTATUS clear: not the timer's interrupt, untouched */
	ldr	x3, [x1, #GUEST_VTIMER_FAST + VTIMER_FAST_GICV2_GICC]
	cbnz	x3, 20f
	mrs	x2, ich_elrsr_el2
	lsr	x2, x2, x0
	tbz	x2, #0, 2f			/* the guest has not ended it yet */
	mrs	x2, icc_iar1_el1
	and	x2, x2, #0xffffff
	cmp	x2, #GUEST_VTIMER_INTID
	b.ne	1f
	mrs	x3, cntv_ctl_el0
	orr	x3, x3, #2			/* IMASK */
	msr	cntv_ctl_el0, x3
	isb					/* the line drops before the interrupt is deactivated */
	ldr	x3, [x1, #GUEST_VTIMER_FAST + VTIMER_FAST_LR_VALUE]
	adr	x2, 10f
	add	x2, x2, x0, lsl #3		/* two instructions an entry */
	br	x2
10:	msr	ich_lr0_el2, x3
	b	11f
	msr	ich_lr1_el2, x3
	b	11f
	msr	ich_lr2_el2, x3
	b	11f
	msr	ich_lr3_el2, x3
	b	11f
	msr	ich_lr4_el2, x3
	b	11f
	msr	ich_lr5_el2, x3
	b	11f
	msr	ich_lr6_el2, x3
	b	11f
	msr	ich_lr7_el2, x3
	b	11f
	msr	ich_lr8_el2, x3
	b	11f
	msr	ich_lr9_el2, x3
	b	11f
	msr	ich_lr10_el2, x3
	b	11f
	msr	ich_lr11_el2, x3
	b	11f
	msr	ich_lr12_el2, x3
	b	11f
	msr	ich_lr13_el2, x3
	b	11f
	msr	ich_lr14_el2, x3
	b	11f
	msr	ich_lr15_el2, x3
11:	mov	x2, #GUEST_VTIMER_INTID
	msr	icc_eoir1_el1, x2
	msr	icc_dir_el1, x2
12:	ldr	x2, [x1, #GUEST_VTIMER_FAST + VTIMER_FAST_EXITS_IRQ]
	ldr	x3, [x2]
	add	x3, x3, #1
	str	x3, [x2]
	ldr	x2, [x1, #GUEST_VTIMER_FAST + VTIMER_FAST_EXITS_TOTAL]
	ldr	x3, [x2]
	add	x3, x3, #1
	str	x3, [x2]
	ldp	x2, x3, [sp], #16
	ldp	x0, x1, [sp], #16
	eret					/* context-synchronizing: the list register and DIR are seen */

20:	/* GICv2 (IHI0048B): x3 = the CPU interface. GICH_ELRSR0 bit n: list register n is free. */
	ldr	x2, [x1, #GUEST_VTIMER_FAST + VTIMER_FAST_GICV2_GICH]
	ldr	w2, [x2, #0x30]			/* GICH_ELRSR0 */
	lsr	x2, x2, x0
	tbz	x2, #0, 2f
	ldr	w2, [x3, #0x0c]			/* GICC_IAR (a PPI's carries no source CPU) */
	cmp	w2, #GUEST_VTIMER_INTID
	b.ne	21f
	mrs	x2, cntv_ctl_el0
	orr	x2, x2, #2			/* IMASK */
	msr	cntv_ctl_el0, x2
	isb
	ldr	x2, [x1, #GUEST_VTIMER_FAST + VTIMER_FAST_GICV2_GICH]
	add	x0, x2, x0, lsl #2
	ldr	w2, [x1, #GUEST_VTIMER_FAST + VTIMER_FAST_LR_VALUE]
	str	w2, [x0, #0x100]		/* GICH_LR<n> */
	mov	w2, #GUEST_VTIMER_INTID
	str	w2, [x3, #0x10]			/* GICC_EOIR */
	ldr	x0, [x1, #GUEST_VTIMER_FAST + VTIMER_FAST_GICV2_DIR]
	str	w2, [x0]			/* GICC_DIR */
	b	12b
21:	/* Another, acknowledged: the driver's claim keeps IAR[12:0] (an SGI's source CPU with it),
	 * and IRQ_NONE (~0) for the special INTIDs 1020-1023. */
	and	w0, w2, #0x3ff
	and	w2, w2, #0x1fff
	cmp	w0, #1020
	csinv	w2, w2, wzr, lo
	b	22f
1:	/* GICv3: IRQ_NONE for 1020-1023, else the INTID. */
	sub	w0, w2, #1020
	cmp	w0, #4
	csinv	w2, w2, wzr, hs
22:	mrs	x3, tpidr_el2
	orr	x2, x2, #(1 << 32)		/* handed over */
	str	x2, [x3, #PERCPU_HANDED_IRQ]
2:	ldp	x2, x3, [sp], #16
3:	mov	x0, #9				/* VECTOR_LOWER_IRQ; x1 = the guest's registers */
	b	guest_exit_regs

	.global guest_exit
guest_exit:			/* x0 = vector index; the guest's x0/x1 are at [sp] */
	/* First what C may clobber (AAPCS64 5.1.1: x0-x18 and x30), PC and PSTATE: enough for
	 * guest_exit_quick, which leaves the guest's x19-x29 live in the registers. */
	mrs	x1, tpidr_el2
	ldr	x1, [x1]
guest_exit_regs:		/* x0 = vector index, x1 = the guest's registers */
	stp	x2, x3, [x1, #16]
	stp	x4, x5, [x1, #32]
	stp	x6, x7, [x1, #48]
	stp	x8, x9, [x1, #64]
	stp	x10, x11, [x1, #80]
	stp	x12, x13, [x1, #96]
	stp	x14, x15, [x1, #112]
	stp	x16, x17, [x1, #128]
	str	x18, [x1, #144]
	str	x30, [x1, #240]
	ldp	x2, x3, [sp]
	stp	x2, x3, [x1, #0]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x1, #GUEST_REGS_PC]
	str	x0, [sp]		/* the vector, where the guest's x0/x1 were */
	bl	guest_exit_quick	/* (vector, registers) */
	cbnz	x0, guest_resume_quick
	/* The slow way: the rest of the guest's registers, then the full handler. */
	ldr	x0, [sp], #16
	mrs	x1, tpidr_el2
	ldr	x1, [x1]
	guest_x19_to_x29 str, stp, x1
	mov	x19, x0			/* the guest's x19 is saved: keep the vector across the call */
	bl	guest_exit_handler	/* (vector, registers) */
	cbnz	x0, guest_enter
	mov	x0, x19
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret


/* FP/SIMD state: the hypervisor is built without FP, so only guests' values live in v0-v31. */
	.global guest_fp_save
guest_fp_save:			/* x0 = struct guest_fp_state * */
	stp	q0, q1, [x0, #0]
	stp	q2, q3, [x0, #32]
	stp	q4, q5, [x0, #64]
	stp	q6, q7, [x0, #96]
	stp	q8, q9, [x0, #128]
	stp	q10, q11, [x0, #160]
	stp	q12, q13, [x0, #192]
	stp	q14, q15, [x0, #224]
	stp	q16, q17, [x0, #256]
	stp	q18, q19, [x0, #288]
	stp	q20, q21, [x0, #320]
	stp	q22, q23, [x0, #352]
	stp	q24, q25, [x0, #384]
	stp	q26, q27, [x0, #416]
	stp	q28, q29, [x0, #448]
	stp	q30, q31, [x0, #480]
	mrs	x1, fpsr
	mrs	x2, fpcr
	add	x0, x0, #512
	stp	x1, x2, [x0]
	ret

	.global guest_fp_restore
guest_fp_restore:
	ldp	q0, q1, [x0, #0]
	ldp	q2, q3, [x0, #32]
	ldp	q4, q5, [x0, #64]
	ldp	q6, q7, [x0, #96]
	ldp	q8, q9, [x0, #128]
	ldp	q10, q11, [x0, #160]
	ldp	q12, q13, [x0, #192]
	ldp	q14, q15, [x0, #224]
	ldp	q16, q17, [x0, #256]
	ldp	q18, q19, [x0, #288]
	ldp	q20, q21, [x0, #320]
	ldp	q22, q23, [x0, #352]
	ldp	q24, q25, [x0, #384]
	ldp	q26, q27, [x0, #416]
	ldp	q28, q29, [x0, #448]
	ldp	q30, q31, [x0, #480]
	add	x0, x0, #512
	ldp	x1, x2, [x0]
	msr	fpsr, x1
	msr	fpcr, x2
	ret
