/* SPDX-License-Identifier: Apache-2.0 */
/* The register frame every exception to EL2 saves on the stack (vectors.S builds it). */
#ifndef ARCH_IMPL_TRAP_FRAME_H
#define ARCH_IMPL_TRAP_FRAME_H

#define TRAP_FRAME_SIZE 288 /* 31 GPRs + ELR + SPSR + the SP before the trap, rounded to 16 */

#ifndef __ASSEMBLY__
#include "lib/types.h"

struct trap_frame {
	uint64_t x[31];
	uint64_t elr;
	uint64_t spsr;
	uint64_t sp;
	uint64_t pad[2];
};

_Static_assert(sizeof(struct trap_frame) == TRAP_FRAME_SIZE, "trap frame layout");
#endif

#endif
