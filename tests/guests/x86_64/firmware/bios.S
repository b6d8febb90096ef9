/* SPDX-License-Identifier: Apache-2.0 */
/* A boot stub with the contract of AxVisor's axvm-bios (its x86 configs name it in bios_path, at
 * bios_load_addr = entry_point = 0x8000), written for our tests: the boot vCPU starts here in real
 * mode, as a CPU runs its firmware after reset; the stub builds a flat GDT, switches to 32-bit
 * protected mode (Intel SDM vol. 3, 9.9.1 "Switching to Protected Mode"; AMD APM vol. 2, 14.4) and
 * enters the kernel at 0x20_0000 the way a multiboot loader would: eax = 0x2BADB002, ebx = the
 * information structure's address (none: 0), paging off, interrupts off (Multiboot 0.6.96, 3.2).
 * Linked at 0x8000 (firmware/bios.ld), entered with cs base 0 and ip 0x8000. */
#define KERNEL_ENTRY 0x200000
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2badb002
#define SEL_CODE32 0x08
#define SEL_DATA32 0x10

	.section .text.start, "ax"
	.code16
	.global _start
_start:
	cli
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %ss
	movw	$0x7ff0, %sp
	lgdtl	gdt_pointer
	movl	%cr0, %eax
	orl	$1, %eax		/* CR0.PE */
	movl	%eax, %cr0
	ljmpl	$SEL_CODE32, $protected_mode

	.code32
protected_mode:
	movl	$SEL_DATA32, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%eax, %ss
	movl	$0x7ff0, %esp
	movl	$MULTIBOOT_BOOTLOADER_MAGIC, %eax
	xorl	%ebx, %ebx
	movl	$KERNEL_ENTRY, %ecx
	jmp	*%ecx

	.balign 8
gdt:	/* null; 32-bit code, base 0, 4 GiB, ring 0; 32-bit data, the same */
	.quad 0
	.quad 0x00cf9a000000ffff
	.quad 0x00cf92000000ffff
gdt_pointer:
	.word gdt_pointer - gdt - 1
	.long gdt
