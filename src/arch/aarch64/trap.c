/* SPDX-License-Identifier: Apache-2.0 */
/* EL2 exception handling for the hypervisor itself: interrupts go to the kernel's dispatch,
 * anything synchronous taken at EL2 is a Tessera bug and is reported with every register.
 * Exceptions from guests (lower EL) arrive with the VM support. */
#include "arch_impl/trap_frame.h"
#include "arch_impl/sysreg.h"
#include "kernel/console.h"
#include "kernel/irq.h"
#include "kernel/panic.h"
#include "kernel/sched.h"
#include "lib/format.h"

enum vector_kind {
	VECTOR_SP0_SYNC = 0,
	VECTOR_SPX_SYNC = 4,
	VECTOR_SPX_IRQ = 5,
	VECTOR_SPX_FIQ = 6,
	VECTOR_SPX_SERROR = 7,
};

static const char *const vector_names[16] = {
	"EL2t sync", "EL2t IRQ", "EL2t FIQ", "EL2t SError", "EL2h sync", "EL2h IRQ", "EL2h FIQ",
	"EL2h SError", "lower EL sync", "lower EL IRQ", "lower EL FIQ", "lower EL SError",
	"lower EL AArch32 sync", "lower EL AArch32 IRQ", "lower EL AArch32 FIQ", "lower EL AArch32 SError",
};

static void dump_frame(const struct trap_frame *frame, unsigned kind)
{
	uint64_t esr = read_sysreg(esr_el2), far = read_sysreg(far_el2);
	/* Unlocked: the fault may have happened with the console lock held. */
	char line[160];
	int n = format_snprintf(line, sizeof(line),
				"\nHypervisor exception: %s, ESR_EL2 %#llx (EC %#llx, ISS %#llx), FAR_EL2 %#llx\n",
				vector_names[kind & 15], (unsigned long long)esr, (unsigned long long)(esr >> 26),
				(unsigned long long)(esr & 0x1ffffff), (unsigned long long)far);
	console_write_unlocked(line, (size_t)n);
	n = format_snprintf(line, sizeof(line), "ELR_EL2 0x%016llx SPSR_EL2 0x%08llx SP 0x%016llx\n",
			    (unsigned long long)frame->elr, (unsigned long long)frame->spsr,
			    (unsigned long long)frame->sp);
	console_write_unlocked(line, (size_t)n);
	for (int i = 0; i < 31; i += 2) {
		if (i + 1 < 31)
			n = format_snprintf(line, sizeof(line), "x%-2d 0x%016llx  x%-2d 0x%016llx\n", i,
					    (unsigned long long)frame->x[i], i + 1,
					    (unsigned long long)frame->x[i + 1]);
		else
			n = format_snprintf(line, sizeof(line), "x%-2d 0x%016llx\n", i,
					    (unsigned long long)frame->x[i]);
		console_write_unlocked(line, (size_t)n);
	}
}

void arch_trap(struct trap_frame *frame, unsigned kind)
{
	switch (kind) {
	case VECTOR_SPX_IRQ:
		irq_dispatch();
		sched_preempt_if_needed();
		return;
	default:
		dump_frame(frame, kind);
		panic("unexpected exception in the hypervisor (%s) at %#llx", vector_names[kind & 15],
		      (unsigned long long)frame->elr);
	}
}
