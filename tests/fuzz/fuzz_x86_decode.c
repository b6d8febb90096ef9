/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the x86 MMIO instruction decoder in all three modes: it must never read past the bytes it
 * is given, and what it accepts must be self-consistent (length within the input and 15 bytes,
 * width a power of two up to 8, register a valid number). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../src/virt/x86_64/include/virt_impl/insn_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int mode = X86_MODE_16; mode <= X86_MODE_64; mode++) {
		struct x86_insn insn;
		if (x86_insn_decode(data, size, (enum x86_cpu_mode)mode, &insn) < 0)
			continue;
		if (insn.length == 0 || insn.length > size || insn.length > X86_INSN_MAX_LENGTH)
			abort();
		if (insn.width != 1 && insn.width != 2 && insn.width != 4 && insn.width != 8)
			abort();
		if (insn.reg < -1 || insn.reg > 15 || insn.reg_width < insn.width)
			abort();
	}
	return 0;
}
