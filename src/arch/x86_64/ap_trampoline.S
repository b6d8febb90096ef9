/* SPDX-License-Identifier: Apache-2.0 */
/* Where application processors start: smp.c copies x86_ap_trampoline_start..end to
 * AP_TRAMPOLINE_BASE and sends INIT-SIPI-SIPI with that page as the vector. The CPU starts in real
 * mode at CS:IP = (base >> 4):0 (Intel SDM vol. 3, 8.4.4.1), goes to 32-bit protected mode with the
 * hypervisor's GDT, then to long mode on the boot page tables (which identity-map the low 4 GiB,
 * this page and the image included), switches to the hypervisor's page tables, takes the stack
 * and CPU index from the parameter block and calls x86_secondary_main(cpu_index).
 *
 * The code runs at a different address than it is linked at, so every absolute reference inside
 * it goes through AT(), which rebases a label onto AP_TRAMPOLINE_BASE. */
#include "arch_impl/trampoline.h"
#include "arch_impl/segments.h"
#include "arch_impl/paging.h"
#include "arch_impl/msr.h"

#define AT(label) (AP_TRAMPOLINE_BASE + (label) - x86_ap_trampoline_start)

	.section .rodata.ap_trampoline, "a"
	.balign 16
	.global x86_ap_trampoline_start
x86_ap_trampoline_start:
	.code16
	cli
	cld
	xorw	%ax, %ax
	movw	%ax, %ds			/* DS = 0: offsets are physical addresses below 64 KiB */
	lgdtl	AT(trampoline_gdt_pointer)
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	$SELECTOR_CODE32, $AT(trampoline_protected)

	.code32
trampoline_protected:
	movl	$SELECTOR_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	enter_long_mode
	ljmpl	$SELECTOR_CODE64, $AT(trampoline_long)

	.code64
trampoline_long:
	movq	AT(params_cr3), %rax
	movq	%rax, %cr3
	movq	AT(params_stack_top), %rsp
	movq	AT(params_cpu_index), %rdi
	movq	AT(params_entry), %rax
	xorl	%ebp, %ebp
	call	*%rax
	ud2

	.balign 8
trampoline_gdt_pointer:
	.word	GDT_FIXED_ENTRIES * 8 - 1
	.long	x86_gdt

	/* struct ap_trampoline_params, filled in the copy by arch_cpu_start. */
	.balign 8
	.global x86_ap_trampoline_params
x86_ap_trampoline_params:
params_cr3:
	.quad	0
params_stack_top:
	.quad	0
params_cpu_index:
	.quad	0
params_entry:
	.quad	0
	.global x86_ap_trampoline_end
x86_ap_trampoline_end:
