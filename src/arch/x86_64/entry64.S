/* SPDX-License-Identifier: Apache-2.0 */
/* The boot CPU's first 64-bit instructions: flat data segments, the boot stack, then C
 * (x86_boot_main in boot.c) with the multiboot magic and information address. */
#include "arch_impl/multiboot.h"
#include "arch_impl/segments.h"

	.text
	.code64
	.global entry64
entry64:
	movl	$SELECTOR_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs
	movq	$boot_stack_top, %rsp
	movl	$MULTIBOOT_BOOTLOADER_MAGIC, %edi
	movl	%ebp, %esi			/* zero-extends the 32-bit multiboot address */
	xorl	%ebp, %ebp			/* ends frame-pointer walks here */
	call	x86_boot_main
	ud2
