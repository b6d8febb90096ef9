/* SPDX-License-Identifier: Apache-2.0 */
/* The real-mode trampoline that application processors start in (ap_trampoline.S): copied to a
 * page below 1 MiB because a STARTUP IPI can only name a 4 KiB page under 1 MiB (Intel SDM vol. 3,
 * 8.4.4.1; the vector is the page number). Included by assembly. */
#ifndef ARCH_IMPL_TRAMPOLINE_H
#define ARCH_IMPL_TRAMPOLINE_H

/* Page 8 is free on PCs: QEMU's multiboot loader puts its E820 map and info at 0x9000, the BIOS data
 * area is below 0x600, and the whole first MiB is kept out of the frame allocator. */
#define AP_TRAMPOLINE_BASE 0x8000

#ifndef __ASSEMBLY__
#include "lib/types.h"

/* Parameters handed from arch_cpu_start to the starting CPU, at the end of the trampoline. */
struct ap_trampoline_params {
	uint64_t cr3;         /* the hypervisor's page tables (arch_mmu_init) */
	uint64_t stack_top;
	uint64_t cpu_index;
	uint64_t entry;       /* x86_secondary_main */
};

extern const char x86_ap_trampoline_start[], x86_ap_trampoline_end[];
extern const char x86_ap_trampoline_params[]; /* the block inside the (uncopied) template */
#endif

#endif
