/* SPDX-License-Identifier: Apache-2.0 */
/* The ChaCha20 block function, written from RFC 8439 sections 2.1-2.3 (see lib/chacha20.h). */
#include "lib/chacha20.h"

static inline uint32_t rotl32(uint32_t v, unsigned n)
{
	return (v << n) | (v >> (32 - n));
}

static inline uint32_t load_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* RFC 8439 2.1: the quarter round on four words of the state. */
static void quarter_round(uint32_t s[16], int a, int b, int c, int d)
{
	s[a] += s[b], s[d] ^= s[a], s[d] = rotl32(s[d], 16);
	s[c] += s[d], s[b] ^= s[c], s[b] = rotl32(s[b], 12);
	s[a] += s[b], s[d] ^= s[a], s[d] = rotl32(s[d], 8);
	s[c] += s[d], s[b] ^= s[c], s[b] = rotl32(s[b], 7);
}

void chacha20_block(const uint8_t key[CHACHA20_KEY_BYTES], uint32_t counter, const uint8_t nonce[12],
		    uint8_t out[CHACHA20_BLOCK_BYTES])
{
	/* RFC 8439 2.3: the constant "expand 32-byte k", the key, the counter, the nonce. */
	uint32_t initial[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
	for (int i = 0; i < 8; i++)
		initial[4 + i] = load_le32(key + 4 * i);
	initial[12] = counter;
	for (int i = 0; i < 3; i++)
		initial[13 + i] = load_le32(nonce + 4 * i);

	uint32_t s[16];
	for (int i = 0; i < 16; i++)
		s[i] = initial[i];
	/* 20 rounds: ten column rounds (the first four quarter rounds) alternating with ten
	 * diagonal rounds (the last four). */
	static const uint8_t double_round[8][4] = {
		{ 0, 4, 8, 12 }, { 1, 5, 9, 13 }, { 2, 6, 10, 14 }, { 3, 7, 11, 15 },
		{ 0, 5, 10, 15 }, { 1, 6, 11, 12 }, { 2, 7, 8, 13 }, { 3, 4, 9, 14 },
	};
	for (int round = 0; round < 10; round++)
		for (int q = 0; q < 8; q++)
			quarter_round(s, double_round[q][0], double_round[q][1], double_round[q][2], double_round[q][3]);
	/* The working state plus the initial state, serialized little-endian. */
	for (int i = 0; i < 16; i++) {
		uint32_t v = s[i] + initial[i];
		out[4 * i] = (uint8_t)v;
		out[4 * i + 1] = (uint8_t)(v >> 8);
		out[4 * i + 2] = (uint8_t)(v >> 16);
		out[4 * i + 3] = (uint8_t)(v >> 24);
	}
}
