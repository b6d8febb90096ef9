/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding an A64 load or store of one general-purpose register from its instruction word, for a
 * data abort whose syndrome is not valid (ESR_EL2.ISV = 0). The CPU gives a syndrome only for a
 * single-register load or store without writeback (Arm ARM DDI 0487, ESR_EL2, "ISS encoding for
 * an exception from a Data Abort", ISV); GCC at -O2 turns `*reg |= bit` on a volatile pointer
 * into `ldr w9, [x8, #128]!`, and such a guest's access to an emulated device reaches the
 * hypervisor with nothing but the faulting address. Tessera then
 * reads the instruction and decodes it here (vcpu_no_syndrome.c). Pure and inline, host-tested
 * (tests/unit/test_aarch64_decode.c) and fuzzed (tests/fuzz/fuzz_aarch64_decode.c).
 *
 * Decoded: the "Load/store register" classes of the Loads and Stores encoding group (C4.1) in
 * every addressing form: unsigned immediate offset, unscaled immediate (LDUR), unprivileged
 * (LDTR), immediate pre-index and post-index (the writeback forms), and register offset with its
 * extend and shift; every width, zero or sign extension into a W or an X register. Refused (the
 * guest keeps getting the abort, as KVM and Bao give it for all of these): SIMD and FP registers,
 * pairs, exclusives and acquire/release, atomics, PRFM, pointer-authenticated loads, and the
 * CONSTRAINED UNPREDICTABLE writeback whose base is also the loaded or stored register (C6.2
 * "LDR (immediate)": Rn == Rt with writeback). */
#ifndef VIRT_IMPL_INSN_DECODE_H
#define VIRT_IMPL_INSN_DECODE_H

#include "lib/types.h"
#include "lib/errno.h"

#define A64_REG_SP_OR_ZR 31 /* Rn 31 is SP; Rt and Rm 31 are XZR/WZR */

enum a64_index {
	A64_OFFSET,     /* no writeback: unsigned, unscaled, unprivileged or register offset */
	A64_PRE_INDEX,  /* address = base + offset, then base = address */
	A64_POST_INDEX, /* address = base, then base = base + offset */
};

struct a64_access {
	unsigned rt;          /* the register loaded or stored (31: XZR/WZR) */
	unsigned rn;          /* the base (31: SP) */
	unsigned size_log2;   /* 0..3: 1, 2, 4, 8 bytes */
	bool load;
	bool sign_extend;
	bool sf;              /* the loaded register is an X register (64-bit result) */
	enum a64_index index;
	int64_t offset;       /* the immediate, already scaled; 0 for register offset */
	int rm;               /* register offset: the index register (31: XZR), else -1 */
	unsigned extend;      /* register offset: option<2:0> (2 UXTW, 3 LSL, 6 SXTW, 7 SXTX) */
	unsigned shift;       /* register offset: what the index is shifted left by */
};

static inline int64_t a64_sign_extend(uint64_t value, unsigned bits)
{
	return (int64_t)(value << (64 - bits)) >> (64 - bits);
}

/* opc<1:0> with size<1:0> (C4.1, "Load/store register (unsigned immediate)" and its siblings):
 * 00 store; 01 load, zero-extended; 10 load sign-extended to 64 bits (LDRSB/LDRSH/LDRSW Xt; with
 * size 11 it is PRFM); 11 load sign-extended to 32 bits (LDRSB/LDRSH Wt; unallocated for the
 * larger sizes). */
static inline __must_check int a64_decode_opc(unsigned size, unsigned opc, struct a64_access *a)
{
	a->size_log2 = size;
	switch (opc) {
	case 0:
		a->load = false;
		a->sign_extend = false;
		a->sf = size == 3;
		return 0;
	case 1:
		a->load = true;
		a->sign_extend = false;
		a->sf = size == 3;
		return 0;
	case 2:
		if (size == 3)
			return -EINVAL; /* PRFM / PRFUM: no access to emulate */
		a->load = true;
		a->sign_extend = true;
		a->sf = true;
		return 0;
	default:
		if (size >= 2)
			return -EINVAL;
		a->load = true;
		a->sign_extend = true;
		a->sf = false;
		return 0;
	}
}

static inline __must_check int a64_decode_ldst(uint32_t insn, struct a64_access *a)
{
	/* size 111 V 0x opc ...: bits 29:27 = 111, V (bit 26) = 0 for general-purpose registers. */
	if (((insn >> 27) & 7) != 7 || (insn >> 26) & 1)
		return -EINVAL;
	unsigned size = insn >> 30, opc = (insn >> 22) & 3, op24 = (insn >> 24) & 3;
	a->rt = insn & 31;
	a->rn = (insn >> 5) & 31;
	a->rm = -1;
	a->extend = 0;
	a->shift = 0;
	a->offset = 0;
	a->index = A64_OFFSET;
	if (op24 == 1) { /* unsigned immediate, scaled by the size */
		a->offset = (int64_t)((insn >> 10) & 0xfff) << size;
	} else if (op24 == 0 && !((insn >> 21) & 1)) { /* the 9-bit signed immediate forms */
		a->offset = a64_sign_extend((insn >> 12) & 0x1ff, 9);
		switch ((insn >> 10) & 3) {
		case 1: a->index = A64_POST_INDEX; break;
		case 3: a->index = A64_PRE_INDEX; break;
		default: break; /* 0 unscaled (LDUR), 2 unprivileged (LDTR) */
		}
	} else if (op24 == 0 && ((insn >> 10) & 3) == 2) { /* register offset */
		a->rm = (int)((insn >> 16) & 31);
		a->extend = (insn >> 13) & 7;
		if (!(a->extend & 2))
			return -EINVAL; /* option<1> = 0 is unallocated */
		a->shift = ((insn >> 12) & 1) ? size : 0;
	} else {
		return -EINVAL; /* op24 2/3 are pairs; bit 21 with 00/01/11 atomics and LDRAA/LDRAB */
	}
	if (a64_decode_opc(size, opc, a) < 0)
		return -EINVAL;
	/* Writeback into the register the access uses is CONSTRAINED UNPREDICTABLE (C6.2, "LDR
	 * (immediate)"): the guest gets the abort rather than one of the behaviours a CPU may choose. */
	if (a->index != A64_OFFSET && a->rn == a->rt && a->rn != A64_REG_SP_OR_ZR)
		return -EINVAL;
	return 0;
}

/* The index register's contribution: Rm extended by option and shifted (C6.2 "LDR
 * (register)": UXTW and SXTW take Wm, LSL and SXTX take Xm). */
static inline uint64_t a64_register_offset(const struct a64_access *a, uint64_t rm_value)
{
	uint64_t index;
	switch (a->extend) {
	case 2: index = (uint32_t)rm_value; break;
	case 6: index = (uint64_t)(int64_t)(int32_t)rm_value; break;
	default: index = rm_value; break; /* 3 LSL (UXTX), 7 SXTX */
	}
	return index << a->shift;
}

/* The address the access uses, and the base's value after it (the same base unless it writes
 * back), from the base and index registers' values. */
static inline uint64_t a64_access_address(const struct a64_access *a, uint64_t base, uint64_t rm_value,
					  uint64_t *base_after)
{
	uint64_t offset = a->rm >= 0 ? a64_register_offset(a, rm_value) : (uint64_t)a->offset;
	*base_after = a->index == A64_OFFSET ? base : base + offset;
	return a->index == A64_POST_INDEX ? base : base + offset;
}

#endif
