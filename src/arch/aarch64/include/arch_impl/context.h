/* SPDX-License-Identifier: Apache-2.0 */
/* aarch64 task context: the AAPCS64 callee-saved registers x19-x29, the link register and the
 * stack pointer (Procedure Call Standard for the Arm 64-bit Architecture, 6.1.1). Offsets are
 * used by context.S. */
#ifndef ARCH_IMPL_CONTEXT_H
#define ARCH_IMPL_CONTEXT_H

#include "lib/types.h"

struct arch_context {
	uint64_t x19_x29[11];
	uint64_t lr;
	uint64_t sp;
};

#endif
