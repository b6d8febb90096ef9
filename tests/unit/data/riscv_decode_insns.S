/* SPDX-License-Identifier: Apache-2.0 */
/* Loads, stores and non-memory instructions for tests/unit/test_riscv_decode.c, assembled on the
 * host by clang-14 --target=riscv64 (rv64imafdc, compressed forms where the assembler picks them)
 * and extracted as bytes. The test's table lists the expected decoding of each, in this order. */
	.option norvc
	lb	a0, 0(a1)
	lh	t0, -4(s0)
	lw	s11, 2047(sp)
	ld	ra, 8(t6)
	lbu	a5, 1(a0)
	lhu	x31, 0(x0)
	lwu	a2, 16(a3)
	sb	a0, 0(a1)
	sh	t2, 6(s1)
	sw	zero, 4(a4)
	sd	s7, -8(sp)
	lw	zero, 0(a0)
	/* not loads or stores */
	addi	a0, a0, 1
	fld	fa0, 0(a0)
	fsw	fa1, 4(a1)
	amoadd.w a0, a1, (a2)
	lr.d	a0, (a1)
	ecall
	.option rvc
	c.lw	a0, 4(a1)
	c.ld	s1, 8(a5)
	c.sw	a2, 0(s0)
	c.sd	a4, 24(a3)
	c.lwsp	t3, 12(sp)
	c.ldsp	ra, 16(sp)
	c.swsp	s2, 0(sp)
	c.sdsp	t6, 8(sp)
	/* compressed, not loads or stores */
	c.addi	a0, 1
	c.fld	fa0, 0(a1)
	c.fsd	fa1, 8(a2)
	c.fldsp	fs0, 0(sp)
	c.li	a0, 3
	c.addi4spn a0, sp, 16
