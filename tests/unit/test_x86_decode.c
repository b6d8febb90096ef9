/* SPDX-License-Identifier: Apache-2.0 */
/* The x86 MMIO instruction decoder (src/virt/x86_64/insn_decode.c) against encodings assembled by
 * clang-14 --target=x86_64 (llvm-objdump -d of the AT&T source shown with each case): operation,
 * width, register, immediate and length, plus what it must refuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/virt/x86_64/include/virt_impl/insn_decode.h"

struct expect {
	const char *source;
	uint8_t bytes[15];
	unsigned size;
	enum x86_insn_op op;
	unsigned length, width, reg_width;
	int reg;
	uint64_t immediate;
	int flags; /* 1 high byte, 2 rep, 4 memory destination */
};

#define HIGH 1
#define REP 2
#define MEMDST 4

static const struct expect cases[] = {
	{ "movl %eax, (%rdi)", { 0x89, 0x07 }, 2, X86_OP_STORE, 2, 4, 4, 0, 0, 0 },
	{ "movq %r9, 16(%rbx)", { 0x4c, 0x89, 0x4b, 0x10 }, 4, X86_OP_STORE, 4, 8, 8, 9, 0, 0 },
	{ "movb %ah, (%rsi)", { 0x88, 0x26 }, 2, X86_OP_STORE, 2, 1, 1, 4, 0, HIGH },
	{ "movb %sil, (%rsi)", { 0x40, 0x88, 0x36 }, 3, X86_OP_STORE, 3, 1, 1, 6, 0, 0 },
	{ "movw %cx, 4660(%rip)", { 0x66, 0x89, 0x0d, 0x34, 0x12, 0, 0 }, 7, X86_OP_STORE, 7, 2, 2, 1, 0, 0 },
	{ "movl 32(%rdi,%rcx,4), %r10d", { 0x44, 0x8b, 0x54, 0x8f, 0x20 }, 5, X86_OP_LOAD, 5, 4, 4, 10, 0, 0 },
	{ "movb (%rax), %bh", { 0x8a, 0x38 }, 2, X86_OP_LOAD, 2, 1, 1, 7, 0, HIGH },
	{ "movl $0x12345678, (%rdi)", { 0xc7, 0x07, 0x78, 0x56, 0x34, 0x12 }, 6, X86_OP_STORE, 6, 4, 4, -1, 0x12345678, 0 },
	{ "movq $-1, 8(%rsp)", { 0x48, 0xc7, 0x44, 0x24, 0x08, 0xff, 0xff, 0xff, 0xff }, 9, X86_OP_STORE, 9, 8, 8, -1, ~0ULL, 0 },
	{ "movb $127, (%rbp)", { 0xc6, 0x45, 0x00, 0x7f }, 4, X86_OP_STORE, 4, 1, 1, -1, 0x7f, 0 },
	{ "movw $0xbeef, (%rdx)", { 0x66, 0xc7, 0x02, 0xef, 0xbe }, 5, X86_OP_STORE, 5, 2, 2, -1, 0xbeef, 0 },
	{ "movabsl 0xfee00020, %eax", { 0xa1, 0x20, 0x00, 0xe0, 0xfe, 0, 0, 0, 0 }, 9, X86_OP_LOAD, 9, 4, 4, 0, 0, 0 },
	{ "movzbl (%rdi), %eax", { 0x0f, 0xb6, 0x07 }, 3, X86_OP_LOAD_ZERO, 3, 1, 4, 0, 0, 0 },
	{ "movzwq 4(%rdi), %r11", { 0x4c, 0x0f, 0xb7, 0x5f, 0x04 }, 5, X86_OP_LOAD_ZERO, 5, 2, 8, 11, 0, 0 },
	{ "movsbl (%rdi), %ecx", { 0x0f, 0xbe, 0x0f }, 3, X86_OP_LOAD_SIGN, 3, 1, 4, 1, 0, 0 },
	{ "movswq (%rdi), %rdx", { 0x48, 0x0f, 0xbf, 0x17 }, 4, X86_OP_LOAD_SIGN, 4, 2, 8, 2, 0, 0 },
	{ "movslq (%rdi), %rax", { 0x48, 0x63, 0x07 }, 3, X86_OP_LOAD_SIGN, 3, 4, 8, 0, 0, 0 },
	{ "rep stosl", { 0xf3, 0xab }, 2, X86_OP_STOS, 2, 4, 4, 0, 0, REP },
	{ "stosb", { 0xaa }, 1, X86_OP_STOS, 1, 1, 1, 0, 0, 0 },
	{ "rep movsq", { 0xf3, 0x48, 0xa5 }, 3, X86_OP_MOVS, 3, 8, 8, -1, 0, REP },
	{ "movsb", { 0xa4 }, 1, X86_OP_MOVS, 1, 1, 1, -1, 0, 0 },
	{ "andl $240, (%rdi)", { 0x81, 0x27, 0xf0, 0, 0, 0 }, 6, X86_OP_AND, 6, 4, 4, -1, 0xf0, MEMDST },
	{ "orb $1, 3(%rdi)", { 0x80, 0x4f, 0x03, 0x01 }, 4, X86_OP_OR, 4, 1, 1, -1, 1, MEMDST },
	{ "orq $4096, (%rdi)", { 0x48, 0x81, 0x0f, 0x00, 0x10, 0, 0 }, 7, X86_OP_OR, 7, 8, 8, -1, 0x1000, MEMDST },
	{ "andl %eax, (%rdi)", { 0x21, 0x07 }, 2, X86_OP_AND, 2, 4, 4, 0, 0, MEMDST },
	{ "orl (%rdi), %ecx", { 0x0b, 0x0f }, 2, X86_OP_OR, 2, 4, 4, 1, 0, 0 },
	{ "testl $64, (%rdi)", { 0xf7, 0x07, 0x40, 0, 0, 0 }, 6, X86_OP_TEST, 6, 4, 4, -1, 0x40, 0 },
	{ "testb %al, (%rdi)", { 0x84, 0x07 }, 2, X86_OP_TEST, 2, 1, 1, 0, 0, MEMDST },
	{ "xchgl %eax, (%rdi)", { 0x87, 0x07 }, 2, X86_OP_XCHG, 2, 4, 4, 0, 0, MEMDST },
	{ "cmpb $0, 20(%rcx)", { 0x80, 0x79, 0x14, 0x00 }, 4, X86_OP_CMP, 4, 1, 1, -1, 0, MEMDST },
	{ "cmpl $-1, (%rdi)", { 0x83, 0x3f, 0xff }, 3, X86_OP_CMP, 3, 4, 4, -1, ~0ULL, MEMDST },
	{ "cmpl %eax, (%rdi)", { 0x39, 0x07 }, 2, X86_OP_CMP, 2, 4, 4, 0, 0, MEMDST },
	{ "cmpw (%rdi), %dx", { 0x66, 0x3b, 0x17 }, 3, X86_OP_CMP, 3, 2, 2, 2, 0, 0 },
	{ "lock orl $1, (%rdi)", { 0xf0, 0x83, 0x0f, 0x01 }, 4, X86_OP_OR, 4, 4, 4, -1, 1, MEMDST },
	{ "movl %fs:(%rdi), %eax", { 0x64, 0x8b, 0x07 }, 3, X86_OP_LOAD, 3, 4, 4, 0, 0, 0 },
	{ "movl (%edi), %eax (67 67)", { 0x67, 0x67, 0x8b, 0x07 }, 4, X86_OP_LOAD, 4, 4, 4, 0, 0, 0 },
	{ "movl 287454020, %eax", { 0x8b, 0x04, 0x25, 0x44, 0x33, 0x22, 0x11 }, 7, X86_OP_LOAD, 7, 4, 4, 0, 0, 0 },
	{ "movl %eax, (%r12)", { 0x41, 0x89, 0x04, 0x24 }, 4, X86_OP_STORE, 4, 4, 4, 0, 0, 0 },
	{ "movl %eax, (%r13)", { 0x41, 0x89, 0x45, 0x00 }, 4, X86_OP_STORE, 4, 4, 4, 0, 0, 0 },
};

static void test_encodings(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct expect *e = &cases[i];
		struct x86_insn insn;
		print_message("%s\n", e->source);
		assert_int_equal(x86_insn_decode(e->bytes, e->size, X86_MODE_64, &insn), 0);
		assert_int_equal(insn.op, e->op);
		assert_int_equal(insn.length, e->length);
		assert_int_equal(insn.width, e->width);
		assert_int_equal(insn.reg_width, e->reg_width);
		assert_int_equal(insn.reg, e->reg);
		if (e->reg < 0)
			assert_int_equal(insn.immediate, e->immediate);
		assert_int_equal(insn.high_byte, (e->flags & HIGH) != 0);
		assert_int_equal(insn.rep, (e->flags & REP) != 0);
		if (e->op == X86_OP_AND || e->op == X86_OP_OR || e->op == X86_OP_XCHG)
			assert_int_equal(insn.memory_is_destination, (e->flags & MEMDST) != 0);
	}
}

static void test_segment_and_address_size(void **state)
{
	(void)state;
	struct x86_insn insn;
	const uint8_t fs_load[] = { 0x64, 0x8b, 0x07 };
	assert_int_equal(x86_insn_decode(fs_load, sizeof(fs_load), X86_MODE_64, &insn), 0);
	assert_int_equal(insn.segment, 4);
	assert_int_equal(insn.address_size, 8);
	const uint8_t addr32[] = { 0x67, 0x8b, 0x07 };
	assert_int_equal(x86_insn_decode(addr32, sizeof(addr32), X86_MODE_64, &insn), 0);
	assert_int_equal(insn.address_size, 4);
}

/* 32-bit and 16-bit code: 0x40-0x4f are inc/dec there, and 16-bit ModRM has its own disp rules. */
static void test_other_modes(void **state)
{
	(void)state;
	struct x86_insn insn;
	const uint8_t mov32[] = { 0x89, 0x05, 0x00, 0x00, 0xe0, 0xfe }; /* movl %eax, 0xfee00000 */
	assert_int_equal(x86_insn_decode(mov32, sizeof(mov32), X86_MODE_32, &insn), 0);
	assert_int_equal(insn.length, 6);
	assert_int_equal(insn.width, 4);
	const uint8_t inc[] = { 0x48, 0x89, 0x07 };
	assert_int_equal(x86_insn_decode(inc, sizeof(inc), X86_MODE_32, &insn), -1);
	const uint8_t mov16[] = { 0x89, 0x06, 0x34, 0x12 }; /* movw %ax, (0x1234) */
	assert_int_equal(x86_insn_decode(mov16, sizeof(mov16), X86_MODE_16, &insn), 0);
	assert_int_equal(insn.length, 4);
	assert_int_equal(insn.width, 2);
	const uint8_t mov16_32[] = { 0x66, 0x89, 0x07 }; /* movl %eax, (%bx) */
	assert_int_equal(x86_insn_decode(mov16_32, sizeof(mov16_32), X86_MODE_16, &insn), 0);
	assert_int_equal(insn.width, 4);
}

static void test_refusals(void **state)
{
	(void)state;
	struct x86_insn insn;
	const uint8_t reg_reg[] = { 0x89, 0xc7 };      /* movl %eax, %edi: no memory operand */
	const uint8_t add[] = { 0x01, 0x07 };           /* addl: not an MMIO form we emulate */
	const uint8_t truncated[] = { 0xc7, 0x07, 0x78 }; /* immediate cut short */
	const uint8_t group1_sub[] = { 0x83, 0x2f, 0x01 }; /* subl $1, (%rdi) */
	uint8_t prefixes[16];
	memset(prefixes, 0x66, sizeof(prefixes));         /* longer than 15 bytes */
	assert_int_equal(x86_insn_decode(reg_reg, sizeof(reg_reg), X86_MODE_64, &insn), -1);
	assert_int_equal(x86_insn_decode(add, sizeof(add), X86_MODE_64, &insn), -1);
	assert_int_equal(x86_insn_decode(truncated, sizeof(truncated), X86_MODE_64, &insn), -1);
	assert_int_equal(x86_insn_decode(group1_sub, sizeof(group1_sub), X86_MODE_64, &insn), -1);
	assert_int_equal(x86_insn_decode(prefixes, sizeof(prefixes), X86_MODE_64, &insn), -1);
	assert_int_equal(x86_insn_decode(prefixes, 0, X86_MODE_64, &insn), -1);
}

static void assert_same_insn(const struct x86_insn *a, const struct x86_insn *b)
{
	assert_int_equal(a->op, b->op);
	assert_int_equal(a->length, b->length);
	assert_int_equal(a->width, b->width);
	assert_int_equal(a->reg_width, b->reg_width);
	assert_int_equal(a->address_size, b->address_size);
	assert_int_equal(a->reg, b->reg);
	assert_int_equal(a->high_byte, b->high_byte);
	assert_int_equal(a->memory_is_destination, b->memory_is_destination);
	assert_int_equal(a->rep, b->rep);
	assert_int_equal(a->segment, b->segment);
	assert_int_equal(a->immediate, b->immediate);
}

/* The instruction as decode_npf sees it: X86_INSN_MAX_LENGTH bytes, whatever follows it after. */
static void fetch(uint8_t *window, const struct expect *e, uint8_t fill)
{
	memset(window, fill, X86_INSN_MAX_LENGTH);
	memcpy(window, e->bytes, e->size);
}

/* x86_insn_decode_again answers as x86_insn_decode does, whatever it remembered: every case after
 * every other (a remembered instruction whose bytes begin another is that one), the same case
 * again with other bytes after it (answered from the memo), a byte of it changed, another mode. */
static void test_decode_again(void **state)
{
	(void)state;
	size_t n = sizeof(cases) / sizeof(cases[0]);
	uint8_t window[X86_INSN_MAX_LENGTH];
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			struct x86_decode_memo memo = { 0 };
			struct x86_insn first, again, fresh;
			fetch(window, &cases[i], 0x90);
			assert_int_equal(x86_insn_decode_again(&memo, window, sizeof(window), X86_MODE_64, &first), 0);
			fetch(window, &cases[j], (uint8_t)(0x11 * j));
			assert_int_equal(x86_insn_decode_again(&memo, window, sizeof(window), X86_MODE_64, &again), 0);
			assert_int_equal(x86_insn_decode(window, sizeof(window), X86_MODE_64, &fresh), 0);
			assert_same_insn(&again, &fresh);
		}
	}
	/* The memo is what answers a repeat: what it holds comes back (here a marked copy), and only
	 * while the used bytes and the mode match. */
	struct x86_decode_memo memo = { 0 };
	struct x86_insn insn;
	uint8_t load[X86_INSN_MAX_LENGTH] = { 0x8b, 0x47, 0x30 }; /* movl 48(%rdi), %eax */
	assert_int_equal(x86_insn_decode_again(&memo, load, sizeof(load), X86_MODE_64, &insn), 0);
	memo.insn.immediate = 0x5a5a;
	load[5] = 0xcc; /* after the instruction: not compared */
	assert_int_equal(x86_insn_decode_again(&memo, load, sizeof(load), X86_MODE_64, &insn), 0);
	assert_int_equal(insn.immediate, 0x5a5a);
	load[2] = 0x34; /* its displacement: decoded again */
	assert_int_equal(x86_insn_decode_again(&memo, load, sizeof(load), X86_MODE_64, &insn), 0);
	assert_int_equal(insn.immediate, 0);
	/* A byte inside the remembered instruction changed (its immediate, its ModRM), or the mode. */
	memo = (struct x86_decode_memo){ 0 };
	uint8_t imm[X86_INSN_MAX_LENGTH] = { 0x48, 0xc7, 0x44, 0x24, 0x08, 0xff, 0xff, 0xff, 0xff }; /* movq $-1, 8(%rsp) */
	assert_int_equal(x86_insn_decode_again(&memo, imm, sizeof(imm), X86_MODE_64, &insn), 0);
	imm[8] = 0x7f;
	assert_int_equal(x86_insn_decode_again(&memo, imm, sizeof(imm), X86_MODE_64, &insn), 0);
	assert_int_equal(insn.immediate, 0x7fffffffULL);
	imm[2] = 0xc0; /* movq $.., %rax: no memory operand */
	assert_int_equal(x86_insn_decode_again(&memo, imm, sizeof(imm), X86_MODE_64, &insn), -1);
	uint8_t rex[X86_INSN_MAX_LENGTH] = { 0x48, 0x89, 0x07 }; /* movq %rax, (%rdi) */
	assert_int_equal(x86_insn_decode_again(&memo, rex, sizeof(rex), X86_MODE_64, &insn), 0);
	assert_int_equal(x86_insn_decode_again(&memo, rex, sizeof(rex), X86_MODE_32, &insn), -1); /* dec %eax there */
	/* Fewer bytes than an instruction may have (the end of what could be fetched): decoded. */
	assert_int_equal(x86_insn_decode_again(&memo, rex, 3, X86_MODE_64, &insn), 0);
	assert_int_equal(insn.width, 8);
	assert_int_equal(x86_insn_decode_again(&memo, rex, 2, X86_MODE_64, &insn), -1);
}

/* Where the memory operand points (struct x86_address), which fusing two adjacent accesses
 * (vcpu.c, fuse_next_access) computes from the registers: ModRM, SIB, REX.B and REX.X, disp8 and
 * disp32, RIP-relative, no base; 16-bit addressing does not say. */
struct address_case {
	const char *source;
	uint8_t bytes[15];
	unsigned size;
	int base, index, scale;
	int32_t displacement;
	bool rip_relative;
};

static void test_operand_address(void **state)
{
	(void)state;
	static const struct address_case cases[] = {
		{ "movl 16(%rsi), %eax", { 0x8b, 0x46, 0x10 }, 3, 6, -1, 1, 16, false },
		{ "movl %ecx, (%rax)", { 0x89, 0x08 }, 2, 0, -1, 1, 0, false },
		{ "movl -16(%r12), %eax", { 0x41, 0x8b, 0x44, 0x24, 0xf0 }, 5, 12, -1, 1, -16, false },
		{ "movl 305419896(%rip), %eax", { 0x8b, 0x05, 0x78, 0x56, 0x34, 0x12 }, 6, -1, -1, 1, 0x12345678, true },
		{ "movl 4096(,%rcx,4), %eax", { 0x8b, 0x04, 0x8d, 0x00, 0x10, 0x00, 0x00 }, 7, -1, 1, 4, 4096, false },
		{ "movl (%rax,%r8,4), %eax", { 0x42, 0x8b, 0x04, 0x80 }, 4, 0, 8, 4, 0, false },
		{ "movl %eax, -8(%rbp,%r13,2)", { 0x42, 0x89, 0x44, 0x6d, 0xf8 }, 5, 5, 13, 2, -8, false },
		{ "movl 16(%r13), %eax", { 0x41, 0x8b, 0x45, 0x10 }, 4, 13, -1, 1, 16, false },
		{ "orl $1, 8(%rdi) (general path)", { 0x83, 0x4f, 0x08, 0x01 }, 4, 7, -1, 1, 8, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct address_case *c = &cases[i];
		struct x86_insn insn;
		print_message("%s\n", c->source);
		assert_int_equal(x86_insn_decode(c->bytes, c->size, X86_MODE_64, &insn), 0);
		assert_true(insn.address.known);
		assert_int_equal(insn.address.base, c->base);
		assert_int_equal(insn.address.index, c->index);
		assert_int_equal(insn.address.scale, c->scale);
		assert_int_equal(insn.address.displacement, c->displacement);
		assert_int_equal(insn.address.rip_relative, c->rip_relative);
	}
	/* 32-bit code: mod 0 rm 5 is an absolute disp32, not RIP-relative. */
	const uint8_t absolute[] = { 0x8b, 0x05, 0x20, 0x00, 0xe0, 0xfe };
	struct x86_insn insn;
	assert_int_equal(x86_insn_decode(absolute, sizeof(absolute), X86_MODE_32, &insn), 0);
	assert_true(insn.address.known && !insn.address.rip_relative && insn.address.base == -1);
	assert_int_equal((uint32_t)insn.address.displacement, 0xfee00020u);
	/* 64-bit code with 67h: still RIP-relative (Intel SDM vol. 2, 2.2.1.6), 32-bit addressing. */
	const uint8_t rip32[] = { 0x67, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00 };
	assert_int_equal(x86_insn_decode(rip32, sizeof(rip32), X86_MODE_64, &insn), 0);
	assert_true(insn.address.known && insn.address.rip_relative);
	assert_int_equal(insn.address_size, 4);
	/* A LOCK prefix is said (a locked mov is #UD: never carried out with another access). */
	const uint8_t locked[] = { 0xf0, 0x89, 0x07 };
	assert_int_equal(x86_insn_decode(locked, sizeof(locked), X86_MODE_64, &insn), 0);
	assert_true(insn.lock);
	const uint8_t unlocked[] = { 0x89, 0x07 };
	assert_int_equal(x86_insn_decode(unlocked, sizeof(unlocked), X86_MODE_64, &insn), 0);
	assert_false(insn.lock);
	/* 16-bit addressing and the moffs forms do not say. */
	const uint8_t bx_si[] = { 0x8b, 0x00 };
	assert_int_equal(x86_insn_decode(bx_si, sizeof(bx_si), X86_MODE_16, &insn), 0);
	assert_false(insn.address.known);
	const uint8_t moffs[] = { 0xa1, 0x20, 0x00, 0xe0, 0xfe, 0, 0, 0, 0 };
	assert_int_equal(x86_insn_decode(moffs, sizeof(moffs), X86_MODE_64, &insn), 0);
	assert_false(insn.address.known);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_segment_and_address_size),
		cmocka_unit_test(test_other_modes),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_decode_again),
		cmocka_unit_test(test_operand_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
