/* SPDX-License-Identifier: Apache-2.0 */
/* Test-guest entry for x86_64. Tessera starts the boot vCPU in flat 32-bit protected mode with
 * paging off (ebx = boot argument); vCPUs started with INIT/SIPI begin in real mode at the page of
 * sipi_start. Both build nothing but reach long mode on the same tables: the first 512 GiB
 * identity-mapped with 1 GiB pages (AMD APM vol. 2, 14.6 "Enabling and Activating Long Mode").
 * Then 64-bit C: guest_main(arg) on the boot vCPU, secondary_main(apic id) on the others. An IDT
 * sends every vector to guest_trap(vector, error code, frame). */
#define CODE64 0x08
#define DATA 0x10
#define CODE32 0x18

	.section .text.start, "ax"
	.code32
	.global _start
_start:
	cli
	/* .bss is ours to clear: RAM need not read as zero (a VM whose config keeps its RAM across a
	 * reset, or a hypervisor told RAM is zero when it is not: tests/e2e/test_scrub.py) */
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	cld
	rep stosb
	movl	%ebx, %edi		/* boot argument, kept for guest_main */
	/* PML4[0] -> PDPT; PDPT[i] = i GiB, present, writable, 1 GiB page */
	movl	$pdpt, %eax
	orl	$3, %eax
	movl	%eax, pml4
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$30, %eax
	orl	$0x83, %eax
	movl	%eax, pdpt(, %ecx, 8)
	movl	%ecx, %eax
	shrl	$2, %eax
	movl	%eax, pdpt + 4(, %ecx, 8)
	incl	%ecx
	cmpl	$512, %ecx
	jne	1b
	movl	$boot_stack_top, %esp
	jmp	enter_long_mode

enter_long_mode:			/* edi = the argument for C */
	lgdt	gdt_pointer
	movl	%cr4, %eax
	orl	$(1 << 5), %eax		/* PAE */
	movl	%eax, %cr4
	movl	$pml4, %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx	/* EFER.LME */
	rdmsr
	orl	$(1 << 8), %eax
	wrmsr
	movl	%cr0, %eax
	orl	$(1 << 31), %eax
	movl	%eax, %cr0
	ljmp	$CODE64, $long_mode

	.code64
long_mode:
	movl	$DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	lidt	idt_pointer(%rip)
	cmpb	$0, bsp_started(%rip)
	jne	secondary
	movb	$1, bsp_started(%rip)
	call	install_idt
	leaq	stacks + 4096(%rip), %rsp
	call	guest_main
	hlt
	jmp	.

secondary:
	movl	$0xfee00020, %eax	/* local APIC id */
	movl	(%rax), %eax
	shrl	$24, %eax
	movl	%eax, %edi
	leal	1(%eax), %ecx
	shll	$12, %ecx
	leaq	stacks(%rip), %rsp
	addq	%rcx, %rsp
	call	secondary_main
	hlt
	jmp	.

/* The IDT: 256 stubs, each pushes a zero where the CPU pushes no error code, then its vector. */
install_idt:
	leaq	vector_stubs(%rip), %rax
	leaq	idt(%rip), %rdi
	movl	$256, %ecx
2:	movq	%rax, %rdx
	movw	%dx, (%rdi)		/* offset 15:0 */
	movw	$CODE64, 2(%rdi)
	movw	$0x8e00, 4(%rdi)	/* present, DPL 0, 64-bit interrupt gate */
	shrq	$16, %rdx
	movw	%dx, 6(%rdi)
	shrq	$16, %rdx
	movl	%edx, 8(%rdi)
	movl	$0, 12(%rdi)
	addq	$16, %rdi
	addq	$16, %rax
	decl	%ecx
	jnz	2b
	ret

#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17)
	.balign	16
vector_stubs:
	.set	vector, 0
	.rept	256
	.balign	16
	.if !HAS_ERROR_CODE(vector)
	pushq	$0
	.endif
	pushq	$vector
	jmp	trap_common
	.set	vector, vector + 1
	.endr

trap_common:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	movq	72(%rsp), %rdi		/* vector */
	movq	80(%rsp), %rsi		/* error code */
	leaq	88(%rsp), %rdx		/* the CPU's frame: rip, cs, rflags, rsp, ss */
	call	guest_trap
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	addq	$16, %rsp
	iretq

/* Real-mode entry of vCPUs started by SIPI: CS = this page >> 4, IP = 0. */
	.section .text.sipi, "ax"
	.code16
	.global sipi_start
sipi_start:
	cli
	movw	%cs, %ax
	movw	%ax, %ds
	lgdtl	gdt_pointer - sipi_start
	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	ljmpl	$CODE32, $sipi_protected
	.code32
sipi_protected:
	movl	$DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%edi, %edi
	jmp	enter_long_mode
	.balign	8
gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: data */
	.quad	0x00cf9a000000ffff	/* 0x18: 32-bit code */
gdt_pointer:
	.word	gdt_pointer - gdt - 1
	.long	gdt

	.data
	.balign	8
idt_pointer:
	.word	256 * 16 - 1
	.quad	idt
bsp_started:
	.byte	0

	.bss
	.balign	4096
pml4:	.space	4096
pdpt:	.space	4096
idt:	.space	256 * 16
	.global stacks
stacks:	.space	4096 * 9
	.space	4096
boot_stack_top:
