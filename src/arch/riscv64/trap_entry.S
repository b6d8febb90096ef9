/* SPDX-License-Identifier: Apache-2.0 */
/* The trap entry written to stvec (RISC-V privileged spec 20211203, 4.1.2, direct mode).
 * It saves the whole integer file and sepc/sstatus/scause/stval as a struct trap_frame
 * (arch_impl/trap.h) on the interrupted stack, calls trap_handle(frame) with interrupts
 * still masked (the hart cleared sstatus.SIE on entry, 4.1.1), restores and returns.
 *
 * sscratch holds this CPU's struct percpu at all times: the entry swaps it into tp, so the
 * per-CPU block is found whatever tp held. Traps handled here come from HS-mode (the
 * hypervisor itself); the guest run loop will install its own entry while a guest runs. */
#include "arch_impl/csr.h"
#include "arch_impl/trap.h"

.macro save_x reg, n
	sd	\reg, FRAME_X(\n)(sp)
.endm
.macro load_x reg, n
	ld	\reg, FRAME_X(\n)(sp)
.endm

	.text
	.global trap_entry
	.balign 4
trap_entry:
	csrrw	tp, sscratch, tp	/* tp = this CPU's block, sscratch = interrupted tp */
	addi	sp, sp, -FRAME_SIZE
	sd	zero, FRAME_X(0)(sp)
	save_x	ra, 1
	save_x	gp, 3
	save_x	t0, 5
	save_x	t1, 6
	save_x	t2, 7
	save_x	s0, 8
	save_x	s1, 9
	save_x	a0, 10
	save_x	a1, 11
	save_x	a2, 12
	save_x	a3, 13
	save_x	a4, 14
	save_x	a5, 15
	save_x	a6, 16
	save_x	a7, 17
	save_x	s2, 18
	save_x	s3, 19
	save_x	s4, 20
	save_x	s5, 21
	save_x	s6, 22
	save_x	s7, 23
	save_x	s8, 24
	save_x	s9, 25
	save_x	s10, 26
	save_x	s11, 27
	save_x	t3, 28
	save_x	t4, 29
	save_x	t5, 30
	save_x	t6, 31
	addi	t0, sp, FRAME_SIZE
	save_x	t0, 2			/* the interrupted sp */
	csrrw	t0, sscratch, tp	/* sscratch = this CPU again, for nested traps */
	save_x	t0, 4			/* the interrupted tp */
	csrr	t0, sepc
	sd	t0, FRAME_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, FRAME_SSTATUS(sp)
	csrr	t0, scause
	sd	t0, FRAME_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, FRAME_STVAL(sp)

	mv	a0, sp
	call	trap_handle

	/* sepc and sstatus may have been changed by the handler (fixups) or belong to a task that
	 * was switched away from and back to on this stack. */
	ld	t0, FRAME_SEPC(sp)
	csrw	sepc, t0
	ld	t0, FRAME_SSTATUS(sp)
	csrw	sstatus, t0
	csrr	tp, sscratch		/* the CPU we return on, which may not be the one we left */
	load_x	ra, 1
	load_x	gp, 3
	load_x	t0, 5
	load_x	t1, 6
	load_x	t2, 7
	load_x	s0, 8
	load_x	s1, 9
	load_x	a0, 10
	load_x	a1, 11
	load_x	a2, 12
	load_x	a3, 13
	load_x	a4, 14
	load_x	a5, 15
	load_x	a6, 16
	load_x	a7, 17
	load_x	s2, 18
	load_x	s3, 19
	load_x	s4, 20
	load_x	s5, 21
	load_x	s6, 22
	load_x	s7, 23
	load_x	s8, 24
	load_x	s9, 25
	load_x	s10, 26
	load_x	s11, 27
	load_x	t3, 28
	load_x	t4, 29
	load_x	t5, 30
	load_x	t6, 31
	load_x	sp, 2
	sret
