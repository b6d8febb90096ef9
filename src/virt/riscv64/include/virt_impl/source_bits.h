/* SPDX-License-Identifier: Apache-2.0 */
/* Sets of interrupt sources as arrays of 32-bit words, bit n % 32 of word n / 32 for source n: the
 * vPLIC's and the vAPLIC's owned, pending, enabled and passed-through sources. */
#ifndef VIRT_IMPL_SOURCE_BITS_H
#define VIRT_IMPL_SOURCE_BITS_H

#include "lib/types.h"

static inline bool bit(const uint32_t *words, unsigned n)
{
	return (words[n / 32] >> (n % 32)) & 1;
}

static inline void set_bit_to(uint32_t *words, unsigned n, bool value)
{
	if (value)
		words[n / 32] |= 1u << (n % 32);
	else
		words[n / 32] &= ~(1u << (n % 32));
}

#endif
