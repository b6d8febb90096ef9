/* SPDX-License-Identifier: Apache-2.0 */
/* Trap dispatch for traps taken in HS-mode. Interrupts (scause top bit set, RISC-V privileged
 * spec 20211203, 4.1.8 table 4.2): supervisor software = the reschedule IPI, supervisor timer =
 * this CPU's one-shot deadline, supervisor external = the PLIC. Every path ends with
 * sched_preempt_if_needed() while interrupts are still masked. A synchronous exception here is a
 * hypervisor fault unless the instruction is guarded by an .ex_table entry (probe.S). */
#include "arch_impl/trap.h"
#include "arch_impl/aia.h"
#include "arch_impl/csr.h"
#include "arch_impl/riscv.h"
#include "kernel/irq.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/sched.h"
#include "kernel/timer.h"

extern const struct exception_fixup __ex_table_start[], __ex_table_end[];

static bool apply_fixup(struct trap_frame *frame)
{
	/* cppcheck-suppress comparePointers ; linker.ld.S puts both symbols around the one .ex_table section */
	for (const struct exception_fixup *f = __ex_table_start; f < __ex_table_end; f++) {
		if (f->insn == frame->sepc) {
			frame->sepc = f->fixup;
			return true;
		}
	}
	return false;
}

/* An interrupt in a guest interrupt file whose vCPU is not running (AIA; the guest half sets it). */
static void (*guest_external_handler)(void);

void riscv_set_guest_external_handler(void (*handler)(void))
{
	guest_external_handler = handler;
}

static void handle_interrupt(unsigned long cause)
{
	switch (cause) {
	case IRQ_S_SOFT:
		/* SSIP is set by the SBI IPI and stays pending until S-mode clears it (4.1.3). */
		csr_clear(sip, SIE_SSIE);
		ipi_interrupt();
		break;
	case IRQ_S_TIMER:
		/* STIP follows the comparator: disarm first, the kernel re-arms the next deadline. */
		arch_timer_stop();
		timer_interrupt();
		break;
	case IRQ_S_EXT:
		irq_dispatch();
		break;
	case IRQ_S_GUEST_EXT:
		if (guest_external_handler) {
			guest_external_handler();
			break;
		}
		/* fall through: nobody enabled it */
	default:
		/* Nothing here knows how to clear it: mask it so it cannot storm. */
		csr_clear(sie, 1UL << (cause & 63));
		log_error("unexpected interrupt cause %lu on CPU %u, masked", cause, riscv_cpu_index());
		break;
	}
}

void trap_handle(struct trap_frame *frame)
{
	unsigned long cause = frame->scause;
	if (cause & SCAUSE_INTERRUPT) {
		handle_interrupt(cause & ~SCAUSE_INTERRUPT);
		sched_preempt_if_needed();
		return;
	}
	if (apply_fixup(frame))
		return;
	riscv_report_fault(frame);
}
