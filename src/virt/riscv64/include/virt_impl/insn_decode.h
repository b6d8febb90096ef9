/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding a guest's trapped load or store from its instruction bits. QEMU reports htinst = 0
 * (the transformed instruction is optional, privileged spec 20211203, 8.6.3), so the hypervisor
 * reads the instruction itself (HLVX.HU) and decodes it here. Pure functions, inline because
 * every emulated MMIO access decodes on the exit path: host-tested (tests/unit/test_riscv_decode.c)
 * and fuzzed (tests/fuzz/fuzz_riscv_decode.c). Encodings: unprivileged spec 20191213, table 24.1
 * (RV32I/RV64I base opcode map) and 16.8 (RVC map). */
#ifndef ARCH_IMPL_INSN_DECODE_H
#define ARCH_IMPL_INSN_DECODE_H

#include "lib/types.h"
#include "lib/errno.h"

struct riscv_mmio_access {
	unsigned length;    /* instruction bytes: 2 (compressed) or 4 */
	unsigned width;     /* access bytes: 1, 2, 4 or 8 */
	bool write;
	bool sign_extend;   /* loads narrower than 64 bits except LBU/LHU/LWU */
	unsigned reg;       /* x register loaded (rd) or stored (rs2) */
};

/* Whether the low 16 bits start a compressed instruction (unprivileged spec 20191213, 1.5). */
static inline bool riscv_insn_is_compressed(uint32_t insn)
{
	return (insn & 3) != 3;
}

#define RISCV_OPCODE_LOAD 0x03
#define RISCV_OPCODE_STORE 0x23

static inline __must_check int riscv_decode_32(uint32_t insn, struct riscv_mmio_access *a)
{
	unsigned funct3 = (insn >> 12) & 7;
	a->length = 4;
	switch (insn & 0x7f) {
	case RISCV_OPCODE_LOAD:
		if (funct3 == 7)
			return -EINVAL; /* reserved (would be LDU in RV128) */
		a->width = 1u << (funct3 & 3);
		a->write = false;
		a->sign_extend = funct3 < 4 && funct3 != 3;
		a->reg = (insn >> 7) & 31;
		return 0;
	case RISCV_OPCODE_STORE:
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

static inline __must_check int riscv_decode_16(uint16_t insn, struct riscv_mmio_access *a)
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

/* Decodes an integer load or store: RV64I LB/LH/LW/LD/LBU/LHU/LWU/SB/SH/SW/SD (unprivileged
 * spec 20191213, 2.6 and 5.3) and RVC C.LW/C.LD/C.SW/C.SD/C.LWSP/C.LDSP/C.SWSP/C.SDSP
 * (chapter 16.3-16.4). For a compressed instruction only the low 16 bits are looked at.
 * Returns 0, or -EINVAL for anything else (FP loads and stores, AMOs, reserved encodings). */

static inline __must_check int riscv_decode_mmio(uint32_t insn, struct riscv_mmio_access *access)
{
	if (riscv_insn_is_compressed(insn))
		return riscv_decode_16((uint16_t)insn, access);
	return riscv_decode_32(insn, access);
}

#endif
