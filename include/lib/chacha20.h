/* SPDX-License-Identifier: Apache-2.0 */
/* The ChaCha20 block function (RFC 8439 2.3): 64 bytes of keystream from a 256-bit key, a 32-bit
 * block counter and a 96-bit nonce. Tessera uses it as the generator behind its entropy pool
 * (kernel/entropy.h), never for encryption. */
#ifndef LIB_CHACHA20_H
#define LIB_CHACHA20_H

#include "lib/types.h"

#define CHACHA20_KEY_BYTES   32
#define CHACHA20_BLOCK_BYTES 64

void chacha20_block(const uint8_t key[CHACHA20_KEY_BYTES], uint32_t counter, const uint8_t nonce[12],
		    uint8_t out[CHACHA20_BLOCK_BYTES]);

#endif
