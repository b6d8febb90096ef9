/* SPDX-License-Identifier: Apache-2.0 */
/* Entering and leaving a guest (AMD APM vol. 2, 15.5 VMRUN, 15.6 #VMEXIT, 15.17 GIF).
 * svm_run(regs, vmcb_pa, host_vmcb_pa): with GIF clear (CLGI) and RFLAGS.IF set, so that a
 * physical interrupt arriving while the guest runs makes it exit (INTR intercept) and stays pending
 * until the caller unmasks interrupts; VMLOAD brings the guest's FS/GS/TR/LDTR/syscall MSRs, VMRUN
 * runs it (RAX, RSP, RIP, RFLAGS and the rest from the VMCB). The other general registers are
 * loaded from and stored to regs[16] (index = encoding number; slots 0 = rax and 4 = rsp live in
 * the VMCB).
 *
 * After each #VMEXIT, svm_hot_exit (vcpu.c) may answer the exit at once and ask for the guest
 * again: then the loop goes straight back to VMRUN, still with GIF clear, and without VMSAVE and
 * VMLOAD. That is sound because #VMEXIT restores only the host state VMRUN saved (15.5.1: ES, CS,
 * SS, DS, GDTR, IDTR, EFER, CR0, CR3, CR4, RFLAGS, RIP, RSP, RAX) and leaves FS, GS, TR, LDTR,
 * KernelGSBase and the STAR/LSTAR/CSTAR/SFMASK/SYSENTER MSRs as the guest had them (15.6,
 * 15.5.2 "VMSAVE and VMLOAD"): they are still the guest's, current, in the CPU, so the next VMRUN
 * runs the guest with exactly what a VMSAVE/VMLOAD pair would have given it back. svm_hot_exit
 * therefore must not use what the host keeps there: the per-CPU pointer (GS base) and the TSS
 * (TR: the IST stacks of NMI, #DF, #MC), unless it puts them back first: for an MMIO access it
 * writes the host's GS base around the device model's code and the guest's after it. NMI and INTR
 * are held pending while GIF is clear (15.17), so only a fault in svm_hot_exit itself could need
 * the TSS. When the loop ends, VMSAVE keeps the guest's hidden state and VMLOAD of the CPU's
 * host-state VMCB restores ours (GS base = per-CPU pointer, TR). Returns with IF clear, GIF set. */
	.text
	.code64
	.global svm_run
svm_run:			/* rdi = regs, rsi = vmcb pa, rdx = host vmcb pa */
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	%rdx		/* 16(%rsp): host-state VMCB */
	pushq	%rsi		/* 8(%rsp): guest VMCB */
	pushq	%rdi		/* (%rsp): regs; nine pushes keep RSP 16-byte aligned for the call */
	clgi
	sti
	movq	%rsi, %rax
	vmload	%rax
.Lenter:
	movq	(%rsp), %rdi
	movq	8(%rsp), %rax
	movq	8*1(%rdi), %rcx
	movq	8*2(%rdi), %rdx
	movq	8*3(%rdi), %rbx
	movq	8*5(%rdi), %rbp
	movq	8*6(%rdi), %rsi
	movq	8*8(%rdi), %r8
	movq	8*9(%rdi), %r9
	movq	8*10(%rdi), %r10
	movq	8*11(%rdi), %r11
	movq	8*12(%rdi), %r12
	movq	8*13(%rdi), %r13
	movq	8*14(%rdi), %r14
	movq	8*15(%rdi), %r15
	movq	8*7(%rdi), %rdi
	vmrun	%rax
	movq	(%rsp), %rax		/* regs */
	movq	%rcx, 8*1(%rax)
	movq	%rdx, 8*2(%rax)
	movq	%rbx, 8*3(%rax)
	movq	%rbp, 8*5(%rax)
	movq	%rsi, 8*6(%rax)
	movq	%rdi, 8*7(%rax)
	movq	%r8, 8*8(%rax)
	movq	%r9, 8*9(%rax)
	movq	%r10, 8*10(%rax)
	movq	%r11, 8*11(%rax)
	movq	%r12, 8*12(%rax)
	movq	%r13, 8*13(%rax)
	movq	%r14, 8*14(%rax)
	movq	%r15, 8*15(%rax)
	movq	%rax, %rdi
	call	svm_hot_exit
	testb	%al, %al
	jnz	.Lenter
	movq	8(%rsp), %rax		/* guest VMCB */
	vmsave	%rax
	movq	16(%rsp), %rax		/* host-state VMCB */
	vmload	%rax
	cli
	stgi
	addq	$24, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret
