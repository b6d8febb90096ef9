/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the x86 MMIO instruction decoder in all three modes: it must never read past the bytes it
 * is given, and what it accepts must be self-consistent (length within the input and 15 bytes,
 * width a power of two up to 8, register a valid number); and x86_insn_decode_again, remembering
 * across inputs, must answer as a fresh decode does. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../src/virt/x86_64/include/virt_impl/insn_decode.h"

static struct x86_decode_memo memo; /* what the previous inputs left */

static int same(const struct x86_insn *a, const struct x86_insn *b)
{
	return a->op == b->op && a->length == b->length && a->width == b->width && a->reg_width == b->reg_width &&
	       a->address_size == b->address_size && a->reg == b->reg && a->high_byte == b->high_byte &&
	       a->memory_is_destination == b->memory_is_destination && a->rep == b->rep &&
	       a->segment == b->segment && a->immediate == b->immediate;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int mode = X86_MODE_16; mode <= X86_MODE_64; mode++) {
		struct x86_insn insn, again;
		int result = x86_insn_decode(data, size, (enum x86_cpu_mode)mode, &insn);
		if (x86_insn_decode_again(&memo, data, size, (enum x86_cpu_mode)mode, &again) != result ||
		    (result == 0 && !same(&insn, &again)))
			abort();
		if (result < 0)
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
