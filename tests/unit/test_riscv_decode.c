/* SPDX-License-Identifier: Apache-2.0 */
/* The riscv64 trapped load/store decoder (src/virt/riscv64/include/virt_impl/insn_decode.h)
 * against encodings assembled on the host by clang-14 from tests/unit/data/riscv_decode_insns.S
 * (the build turns them into RISCV_DECODE_INSNS, a byte array, in
 * build/host/unit/riscv_decode_insns.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/virt/riscv64/include/virt_impl/insn_decode.h"
#include "../../build/host/unit/riscv_decode_insns.h" /* generated: tests/unit/objects.mk */

struct expect {
	const char *text;
	int ok;          /* 0: decodes; -1: refused */
	unsigned length, width, write, sign_extend, reg;
};

/* In the order of riscv_decode_insns.S. Registers: a0 10, a1 11, a2 12, a3 13, a4 14, a5 15,
 * t0 5, t2 7, t3 28, t6 31, s0 8, s1 9, s2 18, s7 23, s11 27, ra 1. */
static const struct expect expected[] = {
	{ "lb a0", 0, 4, 1, 0, 1, 10 },
	{ "lh t0", 0, 4, 2, 0, 1, 5 },
	{ "lw s11", 0, 4, 4, 0, 1, 27 },
	{ "ld ra", 0, 4, 8, 0, 0, 1 },
	{ "lbu a5", 0, 4, 1, 0, 0, 15 },
	{ "lhu x31", 0, 4, 2, 0, 0, 31 },
	{ "lwu a2", 0, 4, 4, 0, 0, 12 },
	{ "sb a0", 0, 4, 1, 1, 0, 10 },
	{ "sh t2", 0, 4, 2, 1, 0, 7 },
	{ "sw zero", 0, 4, 4, 1, 0, 0 },
	{ "sd s7", 0, 4, 8, 1, 0, 23 },
	{ "lw zero", 0, 4, 4, 0, 1, 0 },
	{ "addi", -1, 4, 0, 0, 0, 0 },
	{ "fld", -1, 4, 0, 0, 0, 0 },
	{ "fsw", -1, 4, 0, 0, 0, 0 },
	{ "amoadd.w", -1, 4, 0, 0, 0, 0 },
	{ "lr.d", -1, 4, 0, 0, 0, 0 },
	{ "ecall", -1, 4, 0, 0, 0, 0 },
	{ "c.lw a0", 0, 2, 4, 0, 1, 10 },
	{ "c.ld s1", 0, 2, 8, 0, 0, 9 },
	{ "c.sw a2", 0, 2, 4, 1, 0, 12 },
	{ "c.sd a4", 0, 2, 8, 1, 0, 14 },
	{ "c.lwsp t3", 0, 2, 4, 0, 1, 28 },
	{ "c.ldsp ra", 0, 2, 8, 0, 0, 1 },
	{ "c.swsp s2", 0, 2, 4, 1, 0, 18 },
	{ "c.sdsp t6", 0, 2, 8, 1, 0, 31 },
	{ "c.addi", -1, 2, 0, 0, 0, 0 },
	{ "c.fld", -1, 2, 0, 0, 0, 0 },
	{ "c.fsd", -1, 2, 0, 0, 0, 0 },
	{ "c.fldsp", -1, 2, 0, 0, 0, 0 },
	{ "c.li", -1, 2, 0, 0, 0, 0 },
	{ "c.addi4spn", -1, 2, 0, 0, 0, 0 },
};

static void test_assembled_encodings(void **state)
{
	(void)state;
	size_t at = 0, n = 0;
	while (at < sizeof(RISCV_DECODE_INSNS)) {
		assert_true(n < sizeof(expected) / sizeof(expected[0]));
		const struct expect *e = &expected[n];
		uint32_t insn = RISCV_DECODE_INSNS[at] | (uint32_t)RISCV_DECODE_INSNS[at + 1] << 8;
		unsigned length = riscv_insn_is_compressed(insn) ? 2 : 4;
		if (length == 4)
			insn |= (uint32_t)RISCV_DECODE_INSNS[at + 2] << 16 | (uint32_t)RISCV_DECODE_INSNS[at + 3] << 24;
		print_message("%-12s %08x\n", e->text, insn);
		assert_int_equal(length, e->length);
		struct riscv_mmio_access a = { 0 };
		int r = riscv_decode_mmio(insn, &a);
		assert_int_equal(r < 0 ? -1 : 0, e->ok);
		if (r == 0) {
			assert_int_equal(a.length, e->length);
			assert_int_equal(a.width, e->width);
			assert_int_equal(a.write, e->write);
			assert_int_equal(a.sign_extend, e->sign_extend);
			assert_int_equal(a.reg, e->reg);
		}
		at += length;
		n++;
	}
	assert_int_equal(n, sizeof(expected) / sizeof(expected[0]));
}

/* A compressed instruction is decoded from its low half only: whatever follows must not matter. */
static void test_compressed_ignores_high_half(void **state)
{
	(void)state;
	struct riscv_mmio_access a, b;
	memset(&a, 0, sizeof(a));
	memset(&b, 0xff, sizeof(b));
	assert_int_equal(riscv_decode_mmio(0x41c8, &a), 0); /* c.lw a0, 4(a1) */
	assert_int_equal(riscv_decode_mmio(0xdead41c8u, &b), 0);
	assert_int_equal(a.length, b.length);
	assert_int_equal(a.width, b.width);
	assert_int_equal(a.write, b.write);
	assert_int_equal(a.sign_extend, b.sign_extend);
	assert_int_equal(a.reg, b.reg);
}

static void test_zero_halfword_is_illegal(void **state)
{
	(void)state;
	struct riscv_mmio_access a;
	assert_int_equal(riscv_decode_mmio(0, &a) < 0, 1);
	assert_int_equal(riscv_decode_mmio(0x00007003u, &a) < 0, 1); /* load funct3 7: reserved */
	assert_int_equal(riscv_decode_mmio(0x00004023u, &a) < 0, 1); /* store funct3 4: reserved */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assembled_encodings),
		cmocka_unit_test(test_compressed_ignores_high_half),
		cmocka_unit_test(test_zero_halfword_is_illegal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
