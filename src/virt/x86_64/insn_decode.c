/* SPDX-License-Identifier: Apache-2.0 */
/* The MMIO instruction decoder (see virt_impl/insn_decode.h). Prefixes (APM vol. 3, 1.2), REX
 * (1.2.7), then a one- or two-byte opcode whose memory operand is a ModRM (1.4) with optional
 * SIB and displacement, then an immediate. Only forms with a memory operand are accepted: a
 * register-to-register form cannot fault on MMIO, so seeing one means the guest's bytes changed
 * under us or the fault was not what it seemed. */
#include "include/virt_impl/insn_decode.h"

struct cursor {
	const uint8_t *bytes;
	size_t size, at;
};

static bool take(struct cursor *c, uint8_t *byte)
{
	if (c->at >= c->size || c->at >= X86_INSN_MAX_LENGTH)
		return false;
	*byte = c->bytes[c->at++];
	return true;
}

static bool skip(struct cursor *c, size_t n)
{
	if (c->at + n > c->size || c->at + n > X86_INSN_MAX_LENGTH)
		return false;
	c->at += n;
	return true;
}

/* Reads an immediate of n bytes (little endian), sign-extended from its top bit when asked. */
static bool immediate(struct cursor *c, unsigned n, bool sign_extend, uint64_t *value)
{
	if (c->at + n > c->size || c->at + n > X86_INSN_MAX_LENGTH)
		return false;
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)c->bytes[c->at + i] << (8 * i);
	c->at += n;
	if (sign_extend && n < 8 && (v >> (8 * n - 1)) & 1)
		v |= ~0ULL << (8 * n);
	*value = v;
	return true;
}

/* Parses ModRM (and SIB and displacement); requires a memory operand (mod != 3). Where the
 * addressing is 32- or 64-bit, also says where the operand points (REX.X and REX.B extend the
 * index and base, 1.2.7; table 1-13 and 1-14 for ModRM and SIB). */
static bool modrm_memory(struct cursor *c, unsigned address_size, bool long_mode, uint8_t rex,
			 struct x86_address *where, unsigned *reg_field)
{
	uint8_t modrm;
	if (!take(c, &modrm))
		return false;
	unsigned mod = modrm >> 6, rm = modrm & 7;
	*reg_field = (modrm >> 3) & 7;
	if (mod == 3)
		return false;
	if (address_size == 2) {
		/* 16-bit addressing (table 1-12): no SIB; rm 6 with mod 0 is a bare disp16. */
		if (mod == 0)
			return rm == 6 ? skip(c, 2) : true;
		return skip(c, mod == 1 ? 1 : 2);
	}
	struct x86_address a = { .known = true, .base = (int8_t)(rm | ((rex & 1) ? 8 : 0)), .index = -1, .scale = 1 };
	bool disp32 = mod == 2;
	if (rm == 4) {
		uint8_t sib;
		if (!take(c, &sib))
			return false;
		unsigned index = ((sib >> 3) & 7) | ((rex & 2) ? 8 : 0);
		a.index = (int8_t)(index == 4 ? -1 : (int)index); /* 100b without REX.X: no index */
		a.scale = (uint8_t)(1u << (sib >> 6));
		a.base = (int8_t)((sib & 7) | ((rex & 1) ? 8 : 0));
		if (mod == 0 && (sib & 7) == 5) {
			a.base = -1;
			disp32 = true;
		}
	} else if (mod == 0 && rm == 5) {
		a.base = -1;
		/* RIP-relative in 64-bit mode, with a 67h prefix too (then truncated to 32 bits: Intel
		 * SDM vol. 2, 2.2.1.6); disp32 alone in 32-bit mode. */
		a.rip_relative = long_mode;
		disp32 = true;
	}
	uint64_t displacement = 0;
	if ((mod == 1 && !immediate(c, 1, true, &displacement)) || (disp32 && !immediate(c, 4, true, &displacement)))
		return false;
	a.displacement = (int32_t)displacement;
	*where = a;
	return true;
}

/* The form MMIO accessors compile to (readl/writel): mov between a 32- or 64-bit register and
 * memory (89, 8B), maybe after a REX, with no other prefix, in 32- or 64-bit mode. Decoded here
 * without the general path's prefix loop and opcode switch, which decode it the same way: this is
 * on nearly every MMIO exit. */
static bool register_mov(const uint8_t *bytes, size_t size, enum x86_cpu_mode mode, struct x86_insn *insn)
{
	struct cursor c = { bytes, size, 0 };
	uint8_t op, rex = 0;
	if (mode == X86_MODE_16 || !take(&c, &op))
		return false;
	if (mode == X86_MODE_64 && (op & 0xf0) == 0x40) {
		rex = op;
		if (!take(&c, &op))
			return false;
	}
	unsigned reg_field, address_size = mode == X86_MODE_64 ? 8 : 4;
	struct x86_address where;
	if ((op != 0x89 && op != 0x8b) || !modrm_memory(&c, address_size, mode == X86_MODE_64, rex, &where, &reg_field))
		return false;
	uint8_t width = (rex & 8) ? 8 : 4;
	*insn = (struct x86_insn){ .op = op == 0x8b ? X86_OP_LOAD : X86_OP_STORE, .length = (uint8_t)c.at,
				   .width = width, .reg_width = width, .address_size = (uint8_t)address_size,
				   .reg = (int8_t)(reg_field | ((rex & 4) ? 8 : 0)), .segment = -1, .address = where };
	return true;
}

int x86_insn_decode(const uint8_t *bytes, size_t size, enum x86_cpu_mode mode, struct x86_insn *insn)
{
	if (register_mov(bytes, size, mode, insn))
		return 0;
	struct cursor c = { bytes, size, 0 };
	bool operand_override = false, address_override = false, rep = false;
	int segment = -1;
	uint8_t rex = 0, op;
	static const int8_t segment_of_prefix[] = { [0x26] = 0 + 1, [0x2e] = 1 + 1, [0x36] = 2 + 1,
						     [0x3e] = 3 + 1, [0x64] = 4 + 1, [0x65] = 5 + 1 };

	*insn = (struct x86_insn){ .reg = -1, .segment = -1 };
	for (;;) {
		if (!take(&c, &op))
			return -1;
		if (op == 0x66)
			operand_override = true;
		else if (op == 0x67)
			address_override = true;
		else if (op == 0xf2 || op == 0xf3)
			rep = true;
		else if (op == 0xf0)
			insn->lock = true; /* atomicity is the device model's business */
		else if (op < sizeof(segment_of_prefix) && segment_of_prefix[op])
			segment = segment_of_prefix[op] - 1;
		else
			break;
		rex = 0;
	}
	/* REX must come last, right before the opcode; only in 64-bit mode. */
	if (mode == X86_MODE_64 && (op & 0xf0) == 0x40) {
		rex = op;
		if (!take(&c, &op))
			return -1;
	}
	bool rex_w = rex & 8, rex_r = rex & 4;
	unsigned operand_size, address_size;
	if (mode == X86_MODE_16) {
		operand_size = operand_override ? 4 : 2;
		address_size = address_override ? 4 : 2;
	} else {
		operand_size = rex_w ? 8 : operand_override ? 2 : 4;
		address_size = mode == X86_MODE_64 ? (address_override ? 4 : 8) : (address_override ? 2 : 4);
	}
	insn->address_size = (uint8_t)address_size;
	insn->segment = (int8_t)segment;

	unsigned reg_field = 0, width = operand_size;
	bool byte_form = false;
	uint8_t op2 = 0;
	switch (op) {
	case 0x88: case 0x89: /* mov r/m, reg */
	case 0x8a: case 0x8b: /* mov reg, r/m */
		byte_form = !(op & 1);
		insn->op = op >= 0x8a ? X86_OP_LOAD : X86_OP_STORE;
		if (!modrm_memory(&c, address_size, mode == X86_MODE_64, rex, &insn->address, &reg_field))
			return -1;
		insn->reg = (int8_t)(reg_field | (rex_r ? 8 : 0));
		break;
	case 0xc6: case 0xc7: /* mov r/m, imm */
		byte_form = op == 0xc6;
		insn->op = X86_OP_STORE;
		if (!modrm_memory(&c, address_size, mode == X86_MODE_64, rex, &insn->address, &reg_field) || reg_field != 0)
			return -1;
		width = byte_form ? 1 : operand_size;
		if (!immediate(&c, width == 8 ? 4 : width, true, &insn->immediate))
			return -1;
		break;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3: /* mov rAX <-> moffs */
		byte_form = !(op & 1);
		insn->op = op >= 0xa2 ? X86_OP_STORE : X86_OP_LOAD;
		insn->reg = 0;
		if (!skip(&c, address_size))
			return -1;
		break;
	case 0xaa: case 0xab: /* stos */
		byte_form = op == 0xaa;
		insn->op = X86_OP_STOS;
		insn->reg = 0;
		insn->rep = rep;
		break;
	case 0xa4: case 0xa5: /* movs */
		byte_form = op == 0xa4;
		insn->op = X86_OP_MOVS;
		insn->rep = rep;
		break;
	case 0x20: case 0x21: case 0x22: case 0x23: /* and */
	case 0x08: case 0x09: case 0x0a: case 0x0b: /* or */
	case 0x84: case 0x85:                       /* test */
	case 0x86: case 0x87:                       /* xchg */
		byte_form = !(op & 1);
		insn->op = (op & 0xf0) == 0x20 ? X86_OP_AND : (op & 0xf0) == 0x00 ? X86_OP_OR
			 : op <= 0x85 ? X86_OP_TEST : X86_OP_XCHG;
		insn->memory_is_destination = !(op & 2) || insn->op == X86_OP_XCHG;
		if (!modrm_memory(&c, address_size, mode == X86_MODE_64, rex, &insn->address, &reg_field))
			return -1;
		insn->reg = (int8_t)(reg_field | (rex_r ? 8 : 0));
		break;
	case 0x38: case 0x39: case 0x3a: case 0x3b: /* cmp r/m, reg and cmp reg, r/m */
		byte_form = !(op & 1);
		insn->op = X86_OP_CMP;
		insn->memory_is_destination = !(op & 2); /* the minuend is memory */
		if (!modrm_memory(&c, address_size, mode == X86_MODE_64, rex, &insn->address, &reg_field))
			return -1;
		insn->reg = (int8_t)(reg_field | (rex_r ? 8 : 0));
		break;
	case 0x80: case 0x81: case 0x83: /* group 1: /1 or, /4 and, /7 cmp with an immediate */
		byte_form = op == 0x80;
		if (!modrm_memory(&c, address_size, mode == X86_MODE_64, rex, &insn->address, &reg_field) || (reg_field != 1 && reg_field != 4 && reg_field != 7))
			return -1;
		insn->op = reg_field == 1 ? X86_OP_OR : reg_field == 4 ? X86_OP_AND : X86_OP_CMP;
		insn->memory_is_destination = true;
		width = byte_form ? 1 : operand_size;
		if (!immediate(&c, op == 0x81 ? (width == 8 ? 4 : width) : 1, true, &insn->immediate))
			return -1;
		break;
	case 0xf6: case 0xf7: /* group 3: /0 test with an immediate */
		byte_form = op == 0xf6;
		if (!modrm_memory(&c, address_size, mode == X86_MODE_64, rex, &insn->address, &reg_field) || reg_field != 0)
			return -1;
		insn->op = X86_OP_TEST;
		width = byte_form ? 1 : operand_size;
		if (!immediate(&c, width == 8 ? 4 : width, true, &insn->immediate))
			return -1;
		break;
	case 0x63: /* movsxd reg, r/m32 (64-bit mode) */
		if (mode != X86_MODE_64 || !modrm_memory(&c, address_size, mode == X86_MODE_64, rex, &insn->address, &reg_field))
			return -1;
		insn->op = operand_size == 8 ? X86_OP_LOAD_SIGN : X86_OP_LOAD;
		insn->reg = (int8_t)(reg_field | (rex_r ? 8 : 0));
		insn->width = operand_size == 2 ? 2 : 4; /* with 66h it moves 16 bits */
		insn->reg_width = (uint8_t)operand_size;
		break;
	case 0x0f:
		if (!take(&c, &op2))
			return -1;
		if (op2 != 0xb6 && op2 != 0xb7 && op2 != 0xbe && op2 != 0xbf)
			return -1;
		if (!modrm_memory(&c, address_size, mode == X86_MODE_64, rex, &insn->address, &reg_field))
			return -1;
		insn->op = (op2 & 8) ? X86_OP_LOAD_SIGN : X86_OP_LOAD_ZERO;
		insn->reg = (int8_t)(reg_field | (rex_r ? 8 : 0));
		insn->width = (op2 & 1) ? 2 : 1;
		insn->reg_width = (uint8_t)operand_size;
		break;
	default:
		return -1;
	}
	if (!insn->width) {
		insn->width = (uint8_t)(byte_form ? 1 : width);
		insn->reg_width = insn->width;
	}
	/* Without REX, byte registers 4-7 are AH, CH, DH, BH (APM vol. 3, 1.2.7 table 1-3). */
	insn->high_byte = insn->width == 1 && insn->reg_width == 1 && insn->reg >= 4 && insn->reg < 8 && !rex;
	if (insn->op == X86_OP_STORE && insn->reg < 0 && insn->width < 8)
		insn->immediate &= (1ULL << (8 * insn->width)) - 1;
	insn->length = (uint8_t)c.at;
	return 0;
}

/* Bytes 0-7 and 7-14 of an instruction's first X86_INSN_MAX_LENGTH, as words (a word each for the
 * comparison, instead of a byte loop). */
static void instruction_words(const uint8_t *bytes, uint64_t *head, uint64_t *tail)
{
	__builtin_memcpy(head, bytes, sizeof(*head));
	__builtin_memcpy(tail, bytes + X86_INSN_MAX_LENGTH - sizeof(*tail), sizeof(*tail));
}

/* The low n bytes of a little-endian word. */
static uint64_t low_bytes(unsigned n)
{
	return n >= 8 ? ~0ULL : (1ULL << (8 * n)) - 1;
}

int x86_insn_decode_again(struct x86_decode_memo *memo, const uint8_t *bytes, size_t size,
			  enum x86_cpu_mode mode, struct x86_insn *insn)
{
	if (size < X86_INSN_MAX_LENGTH) /* the end of what could be fetched: not compared as words */
		return x86_insn_decode(bytes, size, mode, insn);
	uint64_t head, tail;
	instruction_words(bytes, &head, &tail);
	if (memo->head_mask && mode == memo->mode && !((head ^ memo->head) & memo->head_mask) &&
	    !((tail ^ memo->tail) & memo->tail_mask)) {
		*insn = memo->insn;
		return 0;
	}
	if (x86_insn_decode(bytes, size, mode, insn) < 0)
		return -1;
	/* Bytes 0-7 are head's, bytes 8-14 tail's bytes 1-7 (its byte 0 is byte 7 again). */
	memo->head_mask = low_bytes(insn->length);
	memo->tail_mask = insn->length > 8 ? low_bytes(insn->length - 7U) & ~0xffULL : 0;
	memo->head = head;
	memo->tail = tail;
	memo->mode = mode;
	memo->insn = *insn;
	return 0;
}
