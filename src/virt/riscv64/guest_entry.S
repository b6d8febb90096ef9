/* SPDX-License-Identifier: Apache-2.0 */
/* Entering and leaving a guest (RISC-V privileged spec 20211203, 8.5 traps with the H extension,
 * 3.3.2 SRET). guest_run saves the hypervisor's callee-saved registers (and gp) on its stack,
 * records that stack and the guest register block in per-CPU scratch words, points stvec at
 * guest_exit, loads the guest's registers and SRETs with hstatus.SPV = 1 into VS (or VU) mode.
 *
 * Every trap from the guest that is not delegated (hedeleg/hideleg) arrives at guest_exit in
 * HS-mode. It stores only the registers a C call may clobber (ra, sp, tp, t0-t6, a0-a7) and calls
 * riscv_guest_exit_sbi (an ecall from VS-mode), riscv_guest_exit_mmio (a load or store
 * guest-page fault) or riscv_guest_exit_other on the hypervisor's stack with the guest's s0-s11 still in their registers (the calling convention
 * keeps them) and the guest's gp too: the hypervisor is built without linker relaxation
 * (-mno-relax), so no C code reads or writes gp. When that answers the exit itself (an SBI call
 * such as BASE, an emulated MMIO access) it returns 0 and the guest is resumed from here. sepc,
 * sstatus.SPP and hstatus.SPV still hold what the trap wrote (the C code moves sepc past the
 * instruction itself, and takes no trap: interrupts are masked, and a faulting HLVX makes it
 * return 1), so the resume restores only the registers it saved. Otherwise gp and s0-s11 are
 * stored too, stvec goes back to trap_entry and guest_run returns to its C caller with the
 * hypervisor's callee-saved registers. sscratch holds this CPU's struct percpu at all times
 * (trap.h), so the exit finds it whatever the guest left in tp. */
#include "arch_impl/csr.h"
#include "virt_impl/hcsr.h"
#include "arch_impl/trap.h"
#include "virt_impl/vm.h"

#define HOST_FRAME 112		/* ra, gp, s0-s11 */

/* Guest register n to or from the register block that base points at. */
.macro save_g reg, n, base=t0
	sd	\reg, GUEST_REGS_X(\n)(\base)
.endm
.macro load_g reg, n, base=t0
	ld	\reg, GUEST_REGS_X(\n)(\base)
.endm

	.text
	.global guest_run
	.balign 4
guest_run:			/* a0 = struct guest_regs * */
	addi	sp, sp, -HOST_FRAME
	sd	ra, 0(sp)
	sd	gp, 8(sp)
	sd	s0, 16(sp)
	sd	s1, 24(sp)
	sd	s2, 32(sp)
	sd	s3, 40(sp)
	sd	s4, 48(sp)
	sd	s5, 56(sp)
	sd	s6, 64(sp)
	sd	s7, 72(sp)
	sd	s8, 80(sp)
	sd	s9, 88(sp)
	sd	s10, 96(sp)
	sd	s11, 104(sp)
	sd	sp, PERCPU_SCRATCH_HYP_SP(tp)
	sd	a0, PERCPU_SCRATCH_GUEST(tp)
	la	t0, guest_exit
	csrw	stvec, t0
	/* SRET returns to the guest's mode: V = hstatus.SPV, privilege = sstatus.SPP (8.5.3).
	 * A host trap taken since the last exit cleared SPV. */
	li	t1, HSTATUS_SPV
	csrs	hstatus, t1
	li	t1, SSTATUS_SPP
	csrc	sstatus, t1
	ld	t1, GUEST_REGS_SPP(a0)
	csrs	sstatus, t1
	ld	t1, GUEST_REGS_SEPC(a0)
	csrw	sepc, t1
	mv	t0, a0
	load_g	ra, 1
	load_g	sp, 2
	load_g	gp, 3
	load_g	tp, 4
	load_g	t1, 6
	load_g	t2, 7
	load_g	s0, 8
	load_g	s1, 9
	load_g	a0, 10
	load_g	a1, 11
	load_g	a2, 12
	load_g	a3, 13
	load_g	a4, 14
	load_g	a5, 15
	load_g	a6, 16
	load_g	a7, 17
	load_g	s2, 18
	load_g	s3, 19
	load_g	s4, 20
	load_g	s5, 21
	load_g	s6, 22
	load_g	s7, 23
	load_g	s8, 24
	load_g	s9, 25
	load_g	s10, 26
	load_g	s11, 27
	load_g	t3, 28
	load_g	t4, 29
	load_g	t5, 30
	load_g	t6, 31
	load_g	t0, 5
	sret

	.global guest_exit
	.balign 4
guest_exit:
	csrrw	tp, sscratch, tp	/* tp = this CPU's block, sscratch = the guest's tp */
	sd	a0, PERCPU_SCRATCH_TEMP(tp)
	/* stvec stays here while the exit path's C code runs: a trap it takes (a faulting HLVX,
	 * a bug) was taken from HS-mode, which wrote hstatus.SPV = 0 (8.2.1), and is trap_entry's. */
	csrr	a0, hstatus
	andi	a0, a0, HSTATUS_SPV
	beqz	a0, host_trap
	ld	a0, PERCPU_SCRATCH_GUEST(tp)	/* a0: the guest register block, for the C calls too */
	/* The registers stored here are GUEST_REGS_SAVED_ON_EXIT (virt_impl/vm.h): keep both alike. */
	save_g	ra, 1, a0
	save_g	sp, 2, a0
	save_g	t0, 5, a0
	save_g	t1, 6, a0
	save_g	t2, 7, a0
	save_g	a1, 11, a0
	save_g	a2, 12, a0
	save_g	a3, 13, a0
	save_g	a4, 14, a0
	save_g	a5, 15, a0
	save_g	a6, 16, a0
	save_g	a7, 17, a0
	save_g	t3, 28, a0
	save_g	t4, 29, a0
	save_g	t5, 30, a0
	save_g	t6, 31, a0
	ld	t1, PERCPU_SCRATCH_TEMP(tp)
	save_g	t1, 10, a0
	csrrw	t1, sscratch, tp	/* sscratch = this CPU again */
	save_g	t1, 4, a0
	/* Hypervisor context for C: its stack. Interrupts stay masked (sstatus.SIE = 0 since
	 * guest_run). The commonest exits have handlers of their own: an ecall from VS-mode
	 * (scause 10, 8.6.1) and a load or store guest-page fault (21, 23: 8.6.1, 8.5.1). */
	ld	sp, PERCPU_SCRATCH_HYP_SP(tp)
	csrr	a1, scause
	li	t1, EXC_ECALL_VS
	bne	a1, t1, 1f
	call	riscv_guest_exit_sbi
3:	bnez	a0, leave_guest	/* not EXIT_HANDLED (0, vmm/exit.h) */
	ld	a0, PERCPU_SCRATCH_GUEST(tp)
	/* Answered: back into the guest, s0-s11 and gp untouched, sepc set by the C code. */
	load_g	ra, 1, a0
	load_g	sp, 2, a0
	load_g	tp, 4, a0
	load_g	t0, 5, a0
	load_g	t1, 6, a0
	load_g	t2, 7, a0
	load_g	a1, 11, a0
	load_g	a2, 12, a0
	load_g	a3, 13, a0
	load_g	a4, 14, a0
	load_g	a5, 15, a0
	load_g	a6, 16, a0
	load_g	a7, 17, a0
	load_g	t3, 28, a0
	load_g	t4, 29, a0
	load_g	t5, 30, a0
	load_g	t6, 31, a0
	load_g	a0, 10, a0
	sret

1:	andi	t1, a1, ~(EXC_LOAD_GUEST_PAGE_FAULT ^ EXC_STORE_GUEST_PAGE_FAULT)
	li	t2, EXC_LOAD_GUEST_PAGE_FAULT
	bne	t1, t2, 2f
	call	riscv_guest_exit_mmio
	j	3b
2:	call	riscv_guest_exit_other
	j	3b

leave_guest:			/* sp = the frame guest_run built */
	ld	t0, PERCPU_SCRATCH_GUEST(tp)
	save_g	gp, 3
	save_g	s0, 8
	save_g	s1, 9
	save_g	s2, 18
	save_g	s3, 19
	save_g	s4, 20
	save_g	s5, 21
	save_g	s6, 22
	save_g	s7, 23
	save_g	s8, 24
	save_g	s9, 25
	save_g	s10, 26
	save_g	s11, 27
	/* SPV back to 0: a host trap frame that a task switch resumes later SRETs with whatever
	 * hstatus holds, and must not land in V = 1. The hypervisor's own trap vector again. */
	li	t1, HSTATUS_SPV
	csrc	hstatus, t1
	la	t1, trap_entry
	csrw	stvec, t1
	ld	ra, 0(sp)
	ld	gp, 8(sp)
	ld	s0, 16(sp)
	ld	s1, 24(sp)
	ld	s2, 32(sp)
	ld	s3, 40(sp)
	ld	s4, 48(sp)
	ld	s5, 56(sp)
	ld	s6, 64(sp)
	ld	s7, 72(sp)
	ld	s8, 80(sp)
	ld	s9, 88(sp)
	ld	s10, 96(sp)
	ld	s11, 104(sp)
	addi	sp, sp, HOST_FRAME
	ret

host_trap:			/* as the trap arrived, then the hypervisor's own entry */
	ld	a0, PERCPU_SCRATCH_TEMP(tp)
	csrrw	tp, sscratch, tp
	j	trap_entry

/* int guest_read_insn(uint64_t va, uint32_t *insn): the instruction at a guest virtual address
 * and its length (2 or 4), or -1 when a read faulted. HLVX.HU (funct7 0x32, rs2 = 3) reads with
 * the guest's VS-stage and G-stage translation and execute permission (8.2.x "Hypervisor
 * Virtual-Machine Load and Store Instructions"), as the guest's privilege in hstatus.SPVP; the
 * two halves of a 32-bit instruction are read apart, since they may lie on two pages. A fault
 * resumes at the fixup (.ex_table, trap.c). */
	.global guest_read_insn
	.balign 4
guest_read_insn:
1:	.insn r 0x73, 0x4, 0x32, t0, a0, x3
	andi	t1, t0, 3
	li	t2, 3
	bne	t1, t2, 3f		/* not 0b11 in bits 1:0: a 16-bit instruction */
	addi	a0, a0, 2
2:	.insn r 0x73, 0x4, 0x32, t1, a0, x3
	slli	t1, t1, 16
	or	t0, t0, t1
	sw	t0, 0(a1)
	li	a0, 4
	ret
3:	sw	t0, 0(a1)
	li	a0, 2
	ret
4:	li	a0, -1
	ret
	.pushsection .ex_table, "a"
	.balign 8
	.dword	1b, 4b
	.dword	2b, 4b
	.popsection

/* FP state: the hypervisor is built without F/D, so f0-f31 hold only guests' values. The
 * instructions are encoded with .insn (FSD: opcode 0x27, funct3 3; FLD: 0x07, funct3 3). */
.macro fsd_n n
	.insn s 0x27, 3, f\n, (\n * 8)(a0)
.endm
.macro fld_n n
	.insn i 0x07, 3, f\n, (\n * 8)(a0)
.endm
	.global guest_fp_save
	.balign 4
guest_fp_save:			/* a0 = struct guest_fp_state *; sstatus.FS must not be Off */
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd_n \n
	.endr
	csrr	t0, fcsr
	sd	t0, 256(a0)
	ret

	.global guest_fp_restore
	.balign 4
guest_fp_restore:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fld_n \n
	.endr
	ld	t0, 256(a0)
	csrw	fcsr, t0
	ret
