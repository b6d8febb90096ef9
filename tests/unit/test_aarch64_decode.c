/* SPDX-License-Identifier: Apache-2.0 */
/* The A64 single-register load/store decoder for data aborts without syndrome
 * (src/virt/aarch64/include/virt_impl/insn_decode.h), against encodings assembled on the host by
 * clang-14 from tests/unit/data/aarch64_decode_insns.S (the build turns them into
 * AARCH64_DECODE_INSNS, a byte array, in build/host/unit/aarch64_decode_insns.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/virt/aarch64/include/virt_impl/insn_decode.h"
#include "../../build/host/unit/aarch64_decode_insns.h" /* generated: tests/unit/objects.mk */

#define PRE A64_PRE_INDEX
#define POST A64_POST_INDEX
#define OFF A64_OFFSET

struct expect {
	const char *text;
	int ok; /* 0: decodes; -1: refused */
	unsigned rt, rn, size_log2;
	bool load, sign_extend, sf;
	enum a64_index index;
	int64_t offset;
	int rm;
	unsigned extend, shift;
};

/* In the order of aarch64_decode_insns.S. */
static const struct expect expected[] = {
	{ "ldr w9, [x8, #128]!", 0, 9, 8, 2, true, false, false, PRE, 128, -1, 0, 0 },
	{ "ldr x1, [x2], #-8", 0, 1, 2, 3, true, false, true, POST, -8, -1, 0, 0 },
	{ "ldrb w3, [x4, #1]!", 0, 3, 4, 0, true, false, false, PRE, 1, -1, 0, 0 },
	{ "ldrh w5, [x6], #2", 0, 5, 6, 1, true, false, false, POST, 2, -1, 0, 0 },
	{ "ldrsb x7, [x10, #-1]!", 0, 7, 10, 0, true, true, true, PRE, -1, -1, 0, 0 },
	{ "ldrsb w11, [x12], #255", 0, 11, 12, 0, true, true, false, POST, 255, -1, 0, 0 },
	{ "ldrsh x13, [x14, #-256]!", 0, 13, 14, 1, true, true, true, PRE, -256, -1, 0, 0 },
	{ "ldrsh w15, [x16], #4", 0, 15, 16, 1, true, true, false, POST, 4, -1, 0, 0 },
	{ "ldrsw x17, [x18, #4]!", 0, 17, 18, 2, true, true, true, PRE, 4, -1, 0, 0 },
	{ "str w19, [x20, #-4]!", 0, 19, 20, 2, false, false, false, PRE, -4, -1, 0, 0 },
	{ "str xzr, [x21], #16", 0, 31, 21, 3, false, false, true, POST, 16, -1, 0, 0 },
	{ "strb w22, [x23, #3]!", 0, 22, 23, 0, false, false, false, PRE, 3, -1, 0, 0 },
	{ "strh w24, [x25], #-2", 0, 24, 25, 1, false, false, false, POST, -2, -1, 0, 0 },
	{ "ldr w26, [sp, #16]!", 0, 26, 31, 2, true, false, false, PRE, 16, -1, 0, 0 },
	{ "str x27, [sp], #-16", 0, 27, 31, 3, false, false, true, POST, -16, -1, 0, 0 },
	{ "ldr w0, [x1, #4092]", 0, 0, 1, 2, true, false, false, OFF, 4092, -1, 0, 0 },
	{ "ldr x2, [x3, #32760]", 0, 2, 3, 3, true, false, true, OFF, 32760, -1, 0, 0 },
	{ "ldrsw x4, [x5, #8]", 0, 4, 5, 2, true, true, true, OFF, 8, -1, 0, 0 },
	{ "ldur w6, [x7, #-3]", 0, 6, 7, 2, true, false, false, OFF, -3, -1, 0, 0 },
	{ "ldtr x8, [x9, #8]", 0, 8, 9, 3, true, false, true, OFF, 8, -1, 0, 0 },
	{ "sturb w10, [x11, #255]", 0, 10, 11, 0, false, false, false, OFF, 255, -1, 0, 0 },
	{ "ldr w12, [x13, x14]", 0, 12, 13, 2, true, false, false, OFF, 0, 14, 3, 0 },
	{ "ldr x15, [x16, x17, lsl #3]", 0, 15, 16, 3, true, false, true, OFF, 0, 17, 3, 3 },
	{ "ldrb w18, [x19, w20, uxtw]", 0, 18, 19, 0, true, false, false, OFF, 0, 20, 2, 0 },
	{ "ldrh w21, [x22, w23, sxtw #1]", 0, 21, 22, 1, true, false, false, OFF, 0, 23, 6, 1 },
	{ "ldrsb x24, [x25, x26, sxtx]", 0, 24, 25, 0, true, true, true, OFF, 0, 26, 7, 0 },
	{ "str w27, [x28, wzr, uxtw #2]", 0, 27, 28, 2, false, false, false, OFF, 0, 31, 2, 2 },
	{ .text = "ldp", .ok = -1 },
	{ .text = "stp (pre-index)", .ok = -1 },
	{ .text = "ldxr", .ok = -1 },
	{ .text = "ldar", .ok = -1 },
	{ .text = "ldadd", .ok = -1 },
	{ .text = "ldr s0", .ok = -1 },
	{ .text = "ldr q2 (pre-index)", .ok = -1 },
	{ .text = "prfm", .ok = -1 },
	{ .text = "add", .ok = -1 },
	{ .text = "ldr w6, [x6, #4]!", .ok = -1 },
	{ .text = "str x0, [x0], #8", .ok = -1 },
	{ .text = "register offset, option 000", .ok = -1 },
};

static void test_assembled_encodings(void **state)
{
	(void)state;
	size_t n = 0;
	for (size_t at = 0; at + 4 <= sizeof(AARCH64_DECODE_INSNS); at += 4, n++) {
		assert_true(n < sizeof(expected) / sizeof(expected[0]));
		const struct expect *e = &expected[n];
		uint32_t insn = AARCH64_DECODE_INSNS[at] | (uint32_t)AARCH64_DECODE_INSNS[at + 1] << 8 |
				(uint32_t)AARCH64_DECODE_INSNS[at + 2] << 16 | (uint32_t)AARCH64_DECODE_INSNS[at + 3] << 24;
		print_message("%-32s %08x\n", e->text, insn);
		struct a64_access a;
		memset(&a, 0xa5, sizeof(a));
		int r = a64_decode_ldst(insn, &a);
		assert_int_equal(r < 0 ? -1 : 0, e->ok);
		if (r < 0)
			continue;
		assert_int_equal(a.rt, e->rt);
		assert_int_equal(a.rn, e->rn);
		assert_int_equal(a.size_log2, e->size_log2);
		assert_int_equal(a.load, e->load);
		assert_int_equal(a.sign_extend, e->sign_extend);
		assert_int_equal(a.sf, e->sf);
		assert_int_equal(a.index, e->index);
		assert_int_equal(a.offset, e->offset);
		assert_int_equal(a.rm, e->rm);
		if (e->rm >= 0) {
			assert_int_equal(a.extend, e->extend);
			assert_int_equal(a.shift, e->shift);
		}
	}
	assert_int_equal(n, sizeof(expected) / sizeof(expected[0]));
}

/* The address used and the base after, for each indexing and each index extension. */
static void test_addresses(void **state)
{
	(void)state;
	struct a64_access a;
	uint64_t after;
	assert_int_equal(a64_decode_ldst(0xb8480d09, &a), 0); /* ldr w9, [x8, #128]! */
	assert_int_equal(a64_access_address(&a, 0x9000000, 0, &after), 0x9000080);
	assert_int_equal(after, 0x9000080);
	assert_int_equal(a64_decode_ldst(0xf85f8441, &a), 0); /* ldr x1, [x2], #-8 */
	assert_int_equal(a64_access_address(&a, 0x9000010, 0, &after), 0x9000010);
	assert_int_equal(after, 0x9000008);
	assert_int_equal(a64_decode_ldst(0xb94ffc20, &a), 0); /* ldr w0, [x1, #4092] */
	assert_int_equal(a64_access_address(&a, 0x9000000, 0, &after), 0x9000ffc);
	assert_int_equal(after, 0x9000000);
	assert_int_equal(a64_decode_ldst(0xf8717a0f, &a), 0); /* ldr x15, [x16, x17, lsl #3] */
	assert_int_equal(a64_access_address(&a, 0x9000000, 3, &after), 0x9000018);
	assert_int_equal(a64_decode_ldst(0x78f7dad5, &a), 0); /* ldrh w21, [x22, w23, sxtw #1] */
	assert_int_equal(a64_access_address(&a, 0x9000100, 0xdeadbeefffffff80ull, &after), 0x9000000);
	assert_int_equal(a64_decode_ldst(0x38744a72, &a), 0); /* ldrb w18, [x19, w20, uxtw] */
	assert_int_equal(a64_access_address(&a, 0x9000000, 0xffffffff00000010ull, &after), 0x9000010);
	assert_int_equal(a64_decode_ldst(0x38baeb38, &a), 0); /* ldrsb x24, [x25, x26, sxtx] */
	assert_int_equal(a64_access_address(&a, 0x9000010, (uint64_t)-16, &after), 0x9000000);
}

/* Every word: a decoded access is self-consistent (no field out of range), whatever the bits. */
static void test_every_pattern_is_sane(void **state)
{
	(void)state;
	for (uint64_t i = 0; i < (1ull << 32); i += 0x10001) {
		struct a64_access a;
		if (a64_decode_ldst((uint32_t)i, &a) < 0)
			continue;
		assert_true(a.rt < 32 && a.rn < 32 && a.size_log2 < 4);
		assert_true(a.rm < 32);
		assert_true(!(a.index != A64_OFFSET && a.rn == a.rt && a.rn != 31));
		assert_true(!a.sign_extend || a.load);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assembled_encodings),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_every_pattern_is_sane),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
