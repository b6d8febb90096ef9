/* Load/store decoding for trapped guest accesses (see arch_impl/insn_decode.h). Encodings:
 * unprivileged spec 20191213, table 24.1 (RV32I/RV64I base opcode map) and 16.8 (RVC map). */
/* By path from this file, so host tests and fuzzers (built with -Iinclude only) find it too. */
#include "include/arch_impl/insn_decode.h"
#include "lib/errno.h"

#define OPCODE_LOAD 0x03
#define OPCODE_STORE 0x23

static int decode_32(uint32_t insn, struct riscv_mmio_access *a)
{
	unsigned funct3 = (insn >> 12) & 7;
	a->length = 4;
	switch (insn & 0x7f) {
	case OPCODE_LOAD:
		if (funct3 == 7)
			return -EINVAL; /* reserved (would be LDU in RV128) */
		a->width = 1u << (funct3 & 3);
		a->write = false;
		a->sign_extend = funct3 < 4 && funct3 != 3;
		a->reg = (insn >> 7) & 31;
		return 0;
	case OPCODE_STORE:
		if (funct3 > 3)
			return -EINVAL;
		a->width = 1u << funct3;
		a->write = true;
		a->sign_extend = false;
		a->reg = (insn >> 20) & 31;
		return 0;
	default:
		return -EINVAL;
	}
}

static int decode_16(uint16_t insn, struct riscv_mmio_access *a)
{
	unsigned funct3 = (insn >> 13) & 7;
	unsigned quadrant = insn & 3;
	a->length = 2;
	a->sign_extend = false;
	if (quadrant == 0) {
		/* CL/CS format: rd' / rs2' in bits 4:2 name x8-x15. */
		unsigned reg = ((insn >> 2) & 7) + 8;
		switch (funct3) {
		case 2: a->width = 4; a->write = false; a->sign_extend = true; break; /* C.LW */
		case 3: a->width = 8; a->write = false; break;                       /* C.LD */
		case 6: a->width = 4; a->write = true; break;                        /* C.SW */
		case 7: a->width = 8; a->write = true; break;                        /* C.SD */
		default: return -EINVAL;  /* C.ADDI4SPN, C.FLD, C.FSD, reserved */
		}
		if (insn == 0)
			return -EINVAL; /* the all-zero halfword is defined illegal (16.1) */
		a->reg = reg;
		return 0;
	}
	if (quadrant == 2) {
		switch (funct3) {
		case 2: /* C.LWSP: rd != 0 */
		case 3: /* C.LDSP: rd != 0 */
			a->reg = (insn >> 7) & 31;
			if (a->reg == 0)
				return -EINVAL;
			a->width = funct3 == 2 ? 4 : 8;
			a->write = false;
			a->sign_extend = funct3 == 2;
			return 0;
		case 6: /* C.SWSP */
		case 7: /* C.SDSP */
			a->reg = (insn >> 2) & 31;
			a->width = funct3 == 6 ? 4 : 8;
			a->write = true;
			return 0;
		default:
			return -EINVAL;
		}
	}
	return -EINVAL; /* quadrant 1 has no loads or stores */
}

int riscv_decode_mmio(uint32_t insn, struct riscv_mmio_access *access)
{
	if (riscv_insn_is_compressed(insn))
		return decode_16((uint16_t)insn, access);
	return decode_32(insn, access);
}
