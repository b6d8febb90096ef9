/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the riscv64 trapped load/store decoder with arbitrary instruction words: it must never
 * crash, and whatever it accepts must be self-consistent (a length matching the encoding, a
 * power-of-two width, a register number, sign extension only on narrow loads). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/virt/riscv64/include/virt_impl/insn_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t at = 0; at + 4 <= size; at += 2) {
		uint32_t insn;
		memcpy(&insn, data + at, 4);
		struct riscv_mmio_access a;
		if (riscv_decode_mmio(insn, &a) < 0)
			continue;
		if (a.length != (riscv_insn_is_compressed(insn) ? 2u : 4u))
			abort();
		if (a.width != 1 && a.width != 2 && a.width != 4 && a.width != 8)
			abort();
		if (a.reg > 31 || (a.sign_extend && (a.write || a.width == 8)))
			abort();
	}
	return 0;
}
