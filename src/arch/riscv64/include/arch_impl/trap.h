/* SPDX-License-Identifier: Apache-2.0 */
/* The trap frame the entry code (trap_entry.S) builds on the interrupted stack, and the per-CPU
 * scratch words it uses. Offsets are shared by assembly and C.
 *
 * Per-CPU pointer discipline: sscratch always holds this CPU's struct percpu. The entry swaps it
 * into tp, so it works whatever tp held (a guest's tp later, when guests run in VS-mode and own
 * it); the exit reloads tp from sscratch, never from the frame, because a task preempted on one
 * CPU may resume on another. */
#ifndef ARCH_IMPL_TRAP_H
#define ARCH_IMPL_TRAP_H

/* struct percpu.arch_scratch[] (kernel/percpu.h keeps it at offset 0). */
#define PERCPU_SCRATCH_STACK_TOP 0   /* a starting secondary's stack, set by arch_cpu_start */
#define PERCPU_SCRATCH_HYP_SP 8      /* reserved: hypervisor sp while a guest runs */
#define PERCPU_SCRATCH_TEMP 16       /* reserved: a free word for the guest exit path */

/* struct trap_frame: x1..x31 at 8 * n (x0's slot is unused), then the CSRs. */
#define FRAME_X(n) ((n) * 8)
#define FRAME_SEPC (32 * 8)
#define FRAME_SSTATUS (33 * 8)
#define FRAME_SCAUSE (34 * 8)
#define FRAME_STVAL (35 * 8)
#define FRAME_SIZE (36 * 8) /* a multiple of 16, as the psABI wants for sp */

#ifndef __ASSEMBLY__
#include "lib/types.h"

struct trap_frame {
	uint64_t x[32]; /* x[2] is the interrupted sp, x[4] the interrupted tp */
	uint64_t sepc;
	uint64_t sstatus;
	uint64_t scause;
	uint64_t stval;
};

_Static_assert(sizeof(struct trap_frame) == FRAME_SIZE, "trap_entry.S frame layout");
_Static_assert(FRAME_SIZE % 16 == 0, "psABI stack alignment");

/* Called by trap_entry.S with the frame it built; interrupts are masked. */
void trap_handle(struct trap_frame *frame);
/* The assembly entry written to stvec. */
void trap_entry(void);

/* A guarded instruction: if the instruction at 'insn' traps, execution resumes at 'fixup'
 * instead of being a hypervisor fault. Entries live in the .ex_table section (see probe.S). */
struct exception_fixup {
	uint64_t insn;
	uint64_t fixup;
};
#endif

#endif
