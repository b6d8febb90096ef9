/* SPDX-License-Identifier: Apache-2.0 */
/* Entry points. OpenSBI's fw_dynamic (and any SBI firmware following the Linux RISC-V boot
 * protocol, Documentation/arch/riscv/boot.rst) enters the image in S-mode, MMU off, with
 * a0 = hart id and a1 = the device tree. The boot hart is whichever won the firmware's lottery;
 * it becomes logical CPU 0. Secondaries arrive through SBI HSM hart_start (SBI v1.0.0, 9.1)
 * at secondary_entry with a0 = hart id and a1 = the opaque value: their struct percpu.
 * Firmware without HSM (SBI v0.1, e.g. BBL) sends every hart to _start at once: the first one
 * through wins a lottery and boots; the others spin in riscv_spinwait until arch_cpu_start
 * writes their struct percpu into riscv_spinwait_percpu[hart id]. */
#include "arch_impl/csr.h"
#include "arch_impl/trap.h"

#define BOOT_STACK_SIZE (16 * 1024)
#define SPINWAIT_HARTS 64 /* hart ids a firmware without HSM can hand over */

	.section .text.entry, "ax"
	.global _start
_start:
	/* No interrupt may arrive before stvec and the per-CPU pointer are set. */
	csrw	sie, zero
	csrci	sstatus, SSTATUS_SIE
	la	t0, boot_lottery
	li	t1, 1
	amoadd.w t1, t1, (t0)
	beqz	t1, 3f
	j	riscv_spinwait		/* lost: another hart is booting */
3:
	mv	s0, a0
	mv	s1, a1
	rdtime	t0			/* the start-up's first tick (kernel/main.c) */
	la	t1, boot_entry_counter
	sd	t0, 0(t1)

	/* BSS holds the boot stack, so clear it before the first push: 64 bytes a round while that
	 * many are left, then 16 (both ends are 16-aligned: linker.ld.S); the loop is a start-up
	 * cost of every boot (bench/startup.sh). */
	la	t0, __bss_start
	la	t1, __bss_end
	addi	t2, t1, -64
	bgtu	t0, t2, 2f
1:	sd	zero, 0(t0)
	sd	zero, 8(t0)
	sd	zero, 16(t0)
	sd	zero, 24(t0)
	sd	zero, 32(t0)
	sd	zero, 40(t0)
	sd	zero, 48(t0)
	sd	zero, 56(t0)
	addi	t0, t0, 64
	bleu	t0, t2, 1b
2:	bgeu	t0, t1, 4f
	sd	zero, 0(t0)
	sd	zero, 8(t0)
	addi	t0, t0, 16
	j	2b
4:
	la	sp, boot_stack_top

	/* arch_set_this_cpu(percpu_of(0)): tp for C, sscratch for the trap entry. */
	la	tp, percpus
	csrw	sscratch, tp
	la	t0, trap_entry
	csrw	stvec, t0		/* direct mode: the address is 4-aligned */

	mv	a0, s0
	mv	a1, s1
	call	riscv_boot_main		/* never returns */
	j	riscv_entry_hang

	.text
	.global secondary_entry
	.balign 4
secondary_entry:
	csrw	sie, zero
	csrci	sstatus, SSTATUS_SIE
	mv	tp, a1
	csrw	sscratch, a1
	ld	sp, PERCPU_SCRATCH_STACK_TOP(tp)
	la	t0, trap_entry
	csrw	stvec, t0
	/* a0 = hart id, a1 = struct percpu * */
	call	riscv_secondary_main	/* never returns */

riscv_entry_hang:
	wfi
	j	riscv_entry_hang

/* A hart that lost the lottery (a0 = hart id): without HSM every secondary; with OpenSBI 1.1's
 * start race, a hart sent to _start instead of secondary_entry (smp.c, arch_cpu_start). Interrupts
 * are off and nothing else would wake a wfi, so it polls; the release is published after the
 * stack (fence in arch_cpu_start). */
riscv_spinwait:
	li	t0, SPINWAIT_HARTS
	bgeu	a0, t0, riscv_entry_hang
	la	t0, riscv_spinwait_percpu
	slli	t1, a0, 3
	add	t0, t0, t1
1:	ld	a1, 0(t0)
	bnez	a1, 2f
	.insn i 0x0f, 0, x0, x0, 0x010	/* Zihintpause 'pause' */
	j	1b
2:	fence	r, rw
	j	secondary_entry

	/* In .data, not .bss: the boot hart clears BSS while the losers already read these. */
	.data
	.balign 8
boot_lottery:
	.word	0
	.balign 8
	.global riscv_spinwait_percpu
riscv_spinwait_percpu:
	.fill	SPINWAIT_HARTS, 8, 0

	.section .bss.boot_stack, "aw", @nobits
	.balign 16
boot_stack:
	.space	BOOT_STACK_SIZE
boot_stack_top:
