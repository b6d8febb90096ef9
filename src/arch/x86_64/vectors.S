/* SPDX-License-Identifier: Apache-2.0 */
/* The 256 interrupt entry stubs and the common frame save (AMD APM vol. 2, 8.9: long-mode
 * interrupt control transfers). Each stub makes the stack uniform -- a zero where the CPU pushes
 * no error code, then the vector -- and jumps to trap_common, which saves every general register
 * into a struct trap_frame (arch_impl/trap.h) and calls x86_trap(frame). All gates are interrupt
 * gates, so IF is clear throughout; the frame stays on the interrupted task's stack even when
 * x86_trap switches tasks (sched_preempt_if_needed), and is restored when that task resumes.
 *
 * The CPU aligns RSP to 16 bytes before pushing its 5-word frame; with the 2 words of the stub and
 * the 15 registers, RSP is 16-byte aligned again at the call, as the ABI wants. */

/* Exceptions that push an error code (APM vol. 2, 8.2, table 8-1): #DF, #TS, #NP, #SS, #GP, #PF,
 * #AC, #CP (21), #VC (29), #SX (30). */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

#define STUB_SIZE 16

	.text
	.code64
	.balign STUB_SIZE
	.global x86_vector_stubs
x86_vector_stubs:
	.set vector, 0
	.rept 256
	.balign STUB_SIZE
	.if !HAS_ERROR_CODE(vector)
	pushq	$0
	.endif
	pushq	$vector
	jmp	trap_common
	.set vector, vector + 1
	.endr

trap_common:
	cld
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, %rdi
	call	x86_trap
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp			/* vector and error code */
	iretq
