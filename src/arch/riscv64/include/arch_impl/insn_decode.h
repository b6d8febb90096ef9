/* Decoding a guest's trapped load or store from its instruction bits. QEMU reports htinst = 0
 * (the transformed instruction is optional, privileged spec 20211203, 8.6.3), so the hypervisor
 * reads the instruction itself (HLVX.HU) and decodes it here. Pure function: host-tested
 * (tests/unit/test_riscv_decode.c) and fuzzed (tests/fuzz/fuzz_riscv_decode.c). */
#ifndef ARCH_IMPL_INSN_DECODE_H
#define ARCH_IMPL_INSN_DECODE_H

#include "lib/types.h"

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

/* Decodes an integer load or store: RV64I LB/LH/LW/LD/LBU/LHU/LWU/SB/SH/SW/SD (unprivileged
 * spec 20191213, 2.6 and 5.3) and RVC C.LW/C.LD/C.SW/C.SD/C.LWSP/C.LDSP/C.SWSP/C.SDSP
 * (chapter 16.3-16.4). For a compressed instruction only the low 16 bits are looked at.
 * Returns 0, or -EINVAL for anything else (FP loads and stores, AMOs, reserved encodings). */
int riscv_decode_mmio(uint32_t insn, struct riscv_mmio_access *access);

#endif
