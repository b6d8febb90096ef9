/* Entering and leaving a guest (AMD APM vol. 2, 15.5 VMRUN, 15.6 #VMEXIT, 15.17 GIF).
 * svm_run(regs, vmcb_pa, host_vmcb_pa): with GIF clear (CLGI) and RFLAGS.IF set, so that a
 * physical interrupt arriving while the guest runs makes it exit (INTR intercept) and stays pending
 * until the caller unmasks interrupts; VMLOAD brings the guest's FS/GS/TR/LDTR/syscall MSRs, VMRUN
 * runs it (RAX, RSP, RIP, RFLAGS and the rest from the VMCB), VMSAVE keeps the guest's hidden
 * state, and VMLOAD of the CPU's host-state VMCB restores ours (GS base = per-CPU pointer, TR).
 * The other general registers are loaded from and stored to regs[16] (index = encoding number;
 * slots 0 = rax and 4 = rsp live in the VMCB). Returns with IF clear and GIF set. */
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
	pushq	%rdx
	pushq	%rdi
	clgi
	sti
	movq	%rsi, %rax
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
	vmload	%rax
	vmrun	%rax
	vmsave	%rax
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
	movq	8(%rsp), %rax		/* host-state VMCB */
	vmload	%rax
	cli
	stgi
	addq	$16, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret
