/* SPDX-License-Identifier: Apache-2.0 */
/* Long-mode 4-level paging (AMD APM vol. 2, 5.3: page-translation entries). Included by assembly. */
#ifndef ARCH_IMPL_PAGING_H
#define ARCH_IMPL_PAGING_H

#include "arch_impl/bits.h"
#include "arch_impl/msr.h"

#define PTE_PRESENT BIT(0)
#define PTE_WRITABLE BIT(1)
#define PTE_WRITE_THROUGH BIT(3) /* PWT */
#define PTE_CACHE_DISABLE BIT(4) /* PCD: with PWT, the default PAT gives UC (APM vol. 2, 7.8.2) */
#define PTE_LARGE BIT(7)         /* PS in a PDPTE (1 GiB) or PDE (2 MiB) */
#define PTE_GLOBAL BIT(8)
#ifndef __ASSEMBLY__
#define PTE_NO_EXECUTE BIT(63)
#define PTE_ADDRESS_MASK 0x000ffffffffff000UL
#endif

#define CR0_PE BIT(0)
#define CR0_WP BIT(16)
#define CR0_PG BIT(31)
#define CR4_PAE BIT(5)
#define CR4_PGE BIT(7)

#ifdef __ASSEMBLY__
/* From 32-bit protected mode into long mode on the boot page tables (x86_boot_pml4): CR4.PAE, CR3,
 * EFER.LME, then CR0.PG activates it (APM vol. 2, 14.6.1). The caller far-jumps to 64-bit code
 * next. Clobbers eax, ecx, edx. Used by the boot CPU's entry and the APs' trampoline. */
.macro enter_long_mode
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$x86_boot_pml4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$MSR_EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$(CR0_PG | CR0_PE), %eax
	movl	%eax, %cr0
.endm
#endif

#endif
