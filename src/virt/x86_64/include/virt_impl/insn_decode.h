/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding the x86 instructions guests use on emulated MMIO (AMD APM vol. 3, chapter 1
 * "Instruction Encoding" and the opcode maps of appendix A). QEMU's SVM has no decode assists and
 * no NRIPS, so on a nested page fault Tessera fetches the bytes at the guest's RIP and decodes
 * them here: what the access does, its width, the register or immediate involved and the length
 * of the instruction. Pure code (no hypervisor state), also built on the host for unit tests and
 * fuzzing. */
#ifndef ARCH_IMPL_INSN_DECODE_H
#define ARCH_IMPL_INSN_DECODE_H

#include "lib/types.h"

#define X86_INSN_MAX_LENGTH 15

enum x86_insn_op {
	X86_OP_NONE,
	X86_OP_STORE,       /* mov r/m, reg|imm: write the register or immediate to memory */
	X86_OP_LOAD,        /* mov reg, r/m (and moffs forms): read into a register */
	X86_OP_LOAD_ZERO,   /* movzx */
	X86_OP_LOAD_SIGN,   /* movsx, movsxd */
	X86_OP_STOS,        /* stos: write rAX to [rDI] */
	X86_OP_MOVS,        /* movs: [rDI] = [rSI] */
	X86_OP_AND,         /* and r/m, reg|imm (memory destination) or and reg, r/m */
	X86_OP_OR,
	X86_OP_TEST,        /* test r/m, reg|imm: flags only */
	X86_OP_CMP,         /* cmp r/m, reg|imm or cmp reg, r/m: flags only, of the subtraction */
	X86_OP_XCHG,
};

/* The CPU mode the bytes are decoded in: default operand and address sizes. */
enum x86_cpu_mode { X86_MODE_16, X86_MODE_32, X86_MODE_64 };

/* Where the memory operand points, where the addressing is 32- or 64-bit (known):
 * base + index * scale + displacement, from the next instruction's address when RIP-relative. */
struct x86_address {
	bool known;
	bool rip_relative;
	int8_t base, index;     /* register numbers 0-15; -1 for none */
	uint8_t scale;          /* 1, 2, 4 or 8 */
	int32_t displacement;   /* sign-extended from 8 bits where the encoding has 8 */
};

struct x86_insn {
	enum x86_insn_op op;
	uint8_t length;         /* bytes, prefixes included */
	uint8_t width;          /* bytes moved to or from memory: 1, 2, 4 or 8 */
	uint8_t reg_width;      /* bytes of the register written (movzx/movsx: wider than width) */
	uint8_t address_size;   /* 2, 4 or 8: for the string forms' rSI/rDI/rCX */
	int8_t reg;             /* register operand (0 = rax .. 15 = r15), -1 when an immediate */
	bool high_byte;         /* reg 4-7 means AH, CH, DH, BH (8-bit operand, no REX) */
	bool memory_is_destination; /* and/or/xchg: the result goes to memory (else to reg) */
	bool rep;               /* F3/F2 prefix on a string instruction */
	bool lock;              /* F0 prefix (#UD on a mov: the CPU says so before any exit) */
	int8_t segment;         /* override prefix: 0 ES, 1 CS, 2 SS, 3 DS, 4 FS, 5 GS; -1 none */
	uint64_t immediate;     /* sign- or zero-extended to width as the CPU does */
	struct x86_address address;
};

/* Decodes one instruction from bytes[0..size). Returns 0, or -1 when the bytes are not one of the
 * supported memory-operand forms (the caller faults the guest). Never reads past size. */
__must_check int x86_insn_decode(const uint8_t *bytes, size_t size, enum x86_cpu_mode mode,
				 struct x86_insn *insn);

/* The last instruction x86_insn_decode_again decoded: its bytes (the first X86_INSN_MAX_LENGTH,
 * as two overlapping words) and which of them it used, its mode and the result. The decode
 * depends on nothing else, so the same used bytes in the same mode decode the same: a guest
 * polling a device register runs one instruction over and over. */
struct x86_decode_memo {
	uint64_t head, tail;          /* bytes 0-7 and 7-14 */
	uint64_t head_mask, tail_mask; /* the bytes the instruction used; head_mask 0: nothing remembered */
	enum x86_cpu_mode mode;
	struct x86_insn insn;
};

/* x86_insn_decode, answered from memo when bytes begin with the instruction it remembers (the
 * bytes are re-read and compared, never trusted), else decoded and remembered. */
__must_check int x86_insn_decode_again(struct x86_decode_memo *memo, const uint8_t *bytes, size_t size,
				       enum x86_cpu_mode mode, struct x86_insn *insn);

#endif
