/* SPDX-License-Identifier: Apache-2.0 */
/* Kernel task switch (include/arch/context.h). Saves the callee-saved registers and RSP of the
 * current task into 'from' (RDI), loads those of 'to' (RSI) and returns on the new stack. Offsets
 * match struct arch_context (arch_impl/context.h). Interrupts are masked by the caller. */

	.text
	.code64
	.global arch_context_switch
arch_context_switch:
	movq	%rsp, 0(%rdi)
	movq	%rbx, 8(%rdi)
	movq	%rbp, 16(%rdi)
	movq	%r12, 24(%rdi)
	movq	%r13, 32(%rdi)
	movq	%r14, 40(%rdi)
	movq	%r15, 48(%rdi)
	movq	0(%rsi), %rsp
	movq	8(%rsi), %rbx
	movq	16(%rsi), %rbp
	movq	24(%rsi), %r12
	movq	32(%rsi), %r13
	movq	40(%rsi), %r14
	movq	48(%rsi), %r15
	ret

/* A new task's first "return" lands here (arch_context_init put its address on the stack):
 * entry(arg) with RSP 16-byte aligned before the call. entry never returns. */
	.global x86_context_first_entry
x86_context_first_entry:
	movq	%r12, %rdi
	xorl	%ebp, %ebp
	call	*%r13
	ud2
