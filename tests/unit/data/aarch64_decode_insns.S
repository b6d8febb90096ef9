/* SPDX-License-Identifier: Apache-2.0 */
/* Loads, stores and other instructions for tests/unit/test_aarch64_decode.c, assembled on the host
 * by clang-14 --target=aarch64 and extracted as words. The test's table lists the expected
 * decoding of each, in this order. */
	/* writeback forms: the ones a data abort gives no syndrome for */
	ldr	w9, [x8, #128]!
	ldr	x1, [x2], #-8
	ldrb	w3, [x4, #1]!
	ldrh	w5, [x6], #2
	ldrsb	x7, [x10, #-1]!
	ldrsb	w11, [x12], #255
	ldrsh	x13, [x14, #-256]!
	ldrsh	w15, [x16], #4
	ldrsw	x17, [x18, #4]!
	str	w19, [x20, #-4]!
	str	xzr, [x21], #16
	strb	w22, [x23, #3]!
	strh	w24, [x25], #-2
	ldr	w26, [sp, #16]!
	str	x27, [sp], #-16
	/* no writeback */
	ldr	w0, [x1, #4092]
	ldr	x2, [x3, #32760]
	ldrsw	x4, [x5, #8]
	ldur	w6, [x7, #-3]
	ldtr	x8, [x9, #8]
	sturb	w10, [x11, #255]
	ldr	w12, [x13, x14]
	ldr	x15, [x16, x17, lsl #3]
	ldrb	w18, [x19, w20, uxtw]
	ldrh	w21, [x22, w23, sxtw #1]
	ldrsb	x24, [x25, x26, sxtx]
	str	w27, [x28, wzr, uxtw #2]
	/* refused */
	ldp	w0, w1, [x2]
	stp	x3, x4, [x5, #16]!
	ldxr	w6, [x7]
	ldar	x8, [x9]
	.arch_extension lse
	ldadd	w10, w11, [x12]
	ldr	s0, [x1]
	ldr	q2, [x3, #16]!
	prfm	pldl1keep, [x4]
	add	x0, x1, x2
	.inst	0xb8404cc6 /* ldr w6, [x6, #4]!: writeback into the loaded register */
	.inst	0xf8008400 /* str x0, [x0], #8: writeback into the stored register */
	.inst	0x38601800 /* ldrb w0, [x0, w0, uxtw #0]... option 000: unallocated */
