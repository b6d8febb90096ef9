/* SPDX-License-Identifier: Apache-2.0 */
/* Task context switch (arch/context.h): saves the callee-saved registers, LR and SP of 'from'
 * (x0) and resumes 'to' (x1). Layout: struct arch_context in arch_impl/context.h. */
	.text
	.global arch_context_switch
arch_context_switch:
	stp	x19, x20, [x0, #0]
	stp	x21, x22, [x0, #16]
	stp	x23, x24, [x0, #32]
	stp	x25, x26, [x0, #48]
	stp	x27, x28, [x0, #64]
	stp	x29, x30, [x0, #80]
	mov	x2, sp
	str	x2, [x0, #96]
	ldp	x19, x20, [x1, #0]
	ldp	x21, x22, [x1, #16]
	ldp	x23, x24, [x1, #32]
	ldp	x25, x26, [x1, #48]
	ldp	x27, x28, [x1, #64]
	ldp	x29, x30, [x1, #80]
	ldr	x2, [x1, #96]
	mov	sp, x2
	ret

/* First switch into a new task lands here: x19 = entry, x20 = its argument. */
	.global context_first_entry
context_first_entry:
	mov	x0, x20
	blr	x19
	b	.
