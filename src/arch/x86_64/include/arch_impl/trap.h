/* SPDX-License-Identifier: Apache-2.0 */
/* The frame vectors.S saves on the current stack for every interrupt and exception: the general
 * registers it pushes, then the vector and error code, then what the CPU pushed (AMD APM vol. 2,
 * 8.9.3: long-mode interrupt stack frame). */
#ifndef ARCH_IMPL_TRAP_H
#define ARCH_IMPL_TRAP_H

#include "lib/types.h"

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error_code; /* 0 for vectors where the CPU pushes none */
	uint64_t rip, cs, rflags, rsp, ss;
};

/* Called by vectors.S with interrupts masked. */
void x86_trap(struct trap_frame *frame);

#endif
