/* SPDX-License-Identifier: Apache-2.0 */
/* Test-guest entry for riscv64 (Linux boot protocol: VS-mode, MMU off, a0 = hart id, a1 = DTB).
 * Sets up a stack per hart and a trap vector that sends exceptions to guest_exception (through
 * the runtime, which answers its own Sstc probe) and interrupts to guest_interrupt, then calls
 * guest_main(hartid, dtb) on the boot hart or secondary_main(hartid, opaque) on harts started
 * with SBI HSM hart_start. */
	.section .text.start, "ax"
	.global _start
_start:
	mv	s0, a0
	mv	s1, a1
	la	t0, trap_vector
	csrw	stvec, t0
	la	sp, stacks + 4096
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	mv	a0, s0
	mv	a1, s1
	call	guest_main
	j	.

	.global secondary_start
secondary_start:			/* a0 = hart id, a1 = opaque */
	la	t0, trap_vector
	csrw	stvec, t0
	la	sp, stacks + 4096
	addi	t0, a0, 0
	slli	t0, t0, 12
	add	sp, sp, t0
	call	secondary_main
	j	.

	.balign	4
trap_vector:
	addi	sp, sp, -144
	sd	ra, 0(sp)
	sd	t0, 8(sp)
	sd	t1, 16(sp)
	sd	t2, 24(sp)
	sd	a0, 32(sp)
	sd	a1, 40(sp)
	sd	a2, 48(sp)
	sd	a3, 56(sp)
	sd	a4, 64(sp)
	sd	a5, 72(sp)
	sd	a6, 80(sp)
	sd	a7, 88(sp)
	sd	t3, 96(sp)
	sd	t4, 104(sp)
	sd	t5, 112(sp)
	sd	t6, 120(sp)
	csrr	a0, scause
	bltz	a0, 3f
	csrr	a1, stval
	csrr	a2, sepc
	call	guest_trap_exception
	csrw	sepc, a0
	j	4f
3:	slli	a0, a0, 1
	srli	a0, a0, 1
	call	guest_interrupt
4:	ld	ra, 0(sp)
	ld	t0, 8(sp)
	ld	t1, 16(sp)
	ld	t2, 24(sp)
	ld	a0, 32(sp)
	ld	a1, 40(sp)
	ld	a2, 48(sp)
	ld	a3, 56(sp)
	ld	a4, 64(sp)
	ld	a5, 72(sp)
	ld	a6, 80(sp)
	ld	a7, 88(sp)
	ld	t3, 96(sp)
	ld	t4, 104(sp)
	ld	t5, 112(sp)
	ld	t6, 120(sp)
	addi	sp, sp, 144
	sret

	.bss
	.balign	16
	.global stacks
stacks:
	.space	4096 * 9
