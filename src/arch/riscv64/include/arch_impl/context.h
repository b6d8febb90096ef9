/* SPDX-License-Identifier: Apache-2.0 */
/* riscv64 task context: what the calling convention says a callee must preserve (RISC-V psABI,
 * "Integer register convention": s0-s11, sp) and the return address. tp is not here: it is the
 * CPU's, not the task's. Offsets are used by context_switch.S. */
#ifndef ARCH_IMPL_CONTEXT_H
#define ARCH_IMPL_CONTEXT_H

#define CONTEXT_RA 0
#define CONTEXT_SP 8
#define CONTEXT_S0 16 /* s0..s11 follow, 8 bytes each */
#define CONTEXT_SIZE 112

#ifndef __ASSEMBLY__
#include "lib/types.h"

struct arch_context {
	uint64_t ra;
	uint64_t sp;
	uint64_t s[12];
};

_Static_assert(sizeof(struct arch_context) == CONTEXT_SIZE, "context_switch.S offsets");
#endif

#endif
