/* SPDX-License-Identifier: Apache-2.0 */
/* The callee-saved state of a kernel task on x86_64 (System V AMD64 ABI, 3.2.1: rbx, rbp,
 * r12-r15 are preserved across calls) plus its stack pointer. Interrupts are masked at every
 * switch, so RFLAGS need not be kept. The offsets are used by context.S. */
#ifndef ARCH_IMPL_CONTEXT_H
#define ARCH_IMPL_CONTEXT_H

#include "lib/types.h"

struct arch_context {
	uint64_t rsp; /* 0 */
	uint64_t rbx; /* 8 */
	uint64_t rbp; /* 16 */
	uint64_t r12; /* 24: entry argument on the first switch */
	uint64_t r13; /* 32: entry function on the first switch */
	uint64_t r14; /* 40 */
	uint64_t r15; /* 48 */
};

#endif
