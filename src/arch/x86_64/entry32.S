/* SPDX-License-Identifier: Apache-2.0 */
/* The multiboot header and the 32-bit entry (Multiboot 0.6.96, 3.2 "Machine state"): the loader
 * jumps here in flat 32-bit protected mode, paging off, interrupts off, EAX = 0x2BADB002 and
 * EBX = the multiboot information. This file clears BSS, identity-maps the low 4 GiB with 2 MiB
 * pages, turns on PAE, long mode and paging (AMD APM vol. 2, 14.6.1 "Activating long mode") and
 * jumps to entry64 in 64-bit mode. The low 4 GiB suffice for the image, the boot stack, the
 * multiboot data, the ACPI tables and the LAPIC/IOAPIC; arch_mmu_init replaces these tables. */
#include "arch_impl/multiboot.h"
#include "arch_impl/segments.h"
#include "arch_impl/paging.h"
#include "arch_impl/msr.h"

#define HEADER_FLAGS (MULTIBOOT_HEADER_PAGE_ALIGN | MULTIBOOT_HEADER_MEMORY_INFO)
#define COM1 0x3f8
#define BOOT_STACK_SIZE (16 * 1024)
#define BOOT_PD_COUNT 4 /* page directories: 4 x 512 x 2 MiB = 4 GiB */
#define MMIO_PD_FIRST_ENTRY (3 * 512) /* 3 GiB up: PCI holes, IOAPIC, LAPIC, firmware: uncached */

	.section .multiboot, "a"
	.balign 4
	.long MULTIBOOT_HEADER_MAGIC
	.long HEADER_FLAGS
	.long -(MULTIBOOT_HEADER_MAGIC + HEADER_FLAGS)

	.section .text.entry32, "ax"
	.code32
	.global multiboot_entry
multiboot_entry:
	cli
	cld
	movl	%eax, %esi			/* the boot loader's magic, checked below */
	rdtsc					/* the start-up's first tick (kernel/main.c) */
	movl	%eax, boot_entry_counter
	movl	%edx, boot_entry_counter + 4
	movl	%esi, %eax
	movl	%ebx, %ebp			/* keep the multiboot information address */
	movl	$boot_stack_top, %esp
	cmpl	$MULTIBOOT_BOOTLOADER_MAGIC, %eax
	jne	.Lnot_multiboot

	/* Long mode present? CPUID 8000_0001h EDX bit 29 (APM vol. 3, appendix E.4.2). */
	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	.Lno_long_mode
	movl	$0x80000001, %eax
	cpuid
	btl	$29, %edx
	jnc	.Lno_long_mode

	/* Zero BSS (the boot stack and page tables live there; nothing is on the stack yet), four
	 * bytes a store, then the odd bytes: each iteration of a REP string instruction is an
	 * instruction executed (bench/startup.sh counts them under -icount). */
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	movl	%ecx, %edx
	shrl	$2, %ecx
	xorl	%eax, %eax
	rep stosl
	movl	%edx, %ecx
	andl	$3, %ecx
	rep stosb

	/* PML4[0] -> PDPT; PDPT[0..3] -> the four page directories. */
	movl	$x86_boot_pdpt, %eax
	orl	$(PTE_PRESENT | PTE_WRITABLE), %eax
	movl	%eax, x86_boot_pml4
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$12, %eax
	addl	$x86_boot_pd, %eax
	orl	$(PTE_PRESENT | PTE_WRITABLE), %eax
	movl	%eax, x86_boot_pdpt(, %ecx, 8)
	incl	%ecx
	cmpl	$BOOT_PD_COUNT, %ecx
	jb	1b

	/* 2048 PDEs of 2 MiB each; the high dwords stay zero since everything is below 4 GiB. */
	xorl	%ecx, %ecx
2:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$(PTE_PRESENT | PTE_WRITABLE | PTE_LARGE), %eax
	cmpl	$MMIO_PD_FIRST_ENTRY, %ecx
	jb	3f
	orl	$(PTE_CACHE_DISABLE | PTE_WRITE_THROUGH), %eax
3:	movl	%eax, x86_boot_pd(, %ecx, 8)
	incl	%ecx
	cmpl	$(BOOT_PD_COUNT * 512), %ecx
	jb	2b

	enter_long_mode

	lgdt	x86_boot_gdt_pointer
	ljmp	$SELECTOR_CODE64, $entry64

.Lnot_multiboot:
	movl	$msg_not_multiboot, %esi
	jmp	.Lprint_and_halt
.Lno_long_mode:
	movl	$msg_no_long_mode, %esi

/* Writes the NUL-terminated string at ESI to COM1 by polling, then stops. There is no ACPI yet
 * to power off with, and a CPU without long mode cannot run the hypervisor at all. */
.Lprint_and_halt:
1:	movb	(%esi), %bl
	testb	%bl, %bl
	jz	3f
	movw	$(COM1 + 5), %dx		/* line status: wait for THRE */
2:	inb	%dx, %al
	testb	$0x20, %al
	jz	2b
	movw	$COM1, %dx
	movb	%bl, %al
	outb	%al, %dx
	incl	%esi
	jmp	1b
3:	cli
	hlt
	jmp	3b

	.section .rodata
msg_not_multiboot:
	.asciz "Tessera: not started by a multiboot loader (EAX != 0x2BADB002); halting\r\n"
msg_no_long_mode:
	.asciz "Tessera: this CPU has no long mode (x86_64); halting\r\n"

	.balign 8
	.global x86_boot_gdt_pointer
x86_boot_gdt_pointer:
	/* The fixed descriptors only; x86_gdt_init_cpu loads the whole table with the TSSes. */
	.word	GDT_FIXED_ENTRIES * 8 - 1
	.long	x86_gdt

	.section .bss
	.balign 4096
	.global x86_boot_pml4
x86_boot_pml4:
	.skip	4096
x86_boot_pdpt:
	.skip	4096
x86_boot_pd:
	.skip	4096 * BOOT_PD_COUNT
	.balign 16
	.global boot_stack_top
boot_stack:
	.skip	BOOT_STACK_SIZE
boot_stack_top:
