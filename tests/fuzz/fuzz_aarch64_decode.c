/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the aarch64 load/store decoder for data aborts without syndrome with arbitrary
 * instruction words: it must never crash, and whatever it accepts must be self-consistent (register
 * numbers, a size, sign extension only on loads, no writeback into the register accessed) and
 * give an address for any register values. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/virt/aarch64/include/virt_impl/insn_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t at = 0; at + 4 <= size; at += 4) {
		uint32_t insn;
		memcpy(&insn, data + at, 4);
		struct a64_access a;
		if (a64_decode_ldst(insn, &a) < 0)
			continue;
		if (a.rt > 31 || a.rn > 31 || a.rm > 31 || a.size_log2 > 3 || (a.sign_extend && !a.load))
			abort();
		if (a.index != A64_OFFSET && a.rn == a.rt && a.rn != A64_REG_SP_OR_ZR)
			abort();
		uint64_t base = 0, after;
		memcpy(&base, data, size < 8 ? size : 8);
		uint64_t address = a64_access_address(&a, base, ~base, &after);
		if (a.index == A64_OFFSET && after != base)
			abort();
		if (a.index == A64_POST_INDEX && address != base)
			abort();
	}
	return 0;
}
