/* SPDX-License-Identifier: Apache-2.0 */
/* The ChaCha20 block function against the test vector of RFC 8439 2.3.2 (which OpenSSL's
 * chacha20 cipher reproduces), and the counter and nonce each changing the whole block. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/chacha20.h"

static void rfc8439_key(uint8_t key[32])
{
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
}

static void test_rfc8439_block(void **state)
{
	(void)state;
	uint8_t key[32], out[64];
	rfc8439_key(key);
	static const uint8_t nonce[12] = { 0, 0, 0, 0x09, 0, 0, 0, 0x4a, 0, 0, 0, 0 };
	static const uint8_t expected[64] = {
		0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4,
		0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22, 0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e,
		0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa, 0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2,
		0xb5, 0x12, 0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e,
	};
	chacha20_block(key, 1, nonce, out);
	assert_memory_equal(out, expected, sizeof(expected));
}

static int bytes_differing(const uint8_t *a, const uint8_t *b, size_t n)
{
	int differing = 0;
	for (size_t i = 0; i < n; i++)
		differing += a[i] != b[i];
	return differing;
}

static void test_counter_and_nonce_change_everything(void **state)
{
	(void)state;
	uint8_t key[32], base[64], next[64], other[64];
	rfc8439_key(key);
	uint8_t nonce[12] = { 0 };
	chacha20_block(key, 0, nonce, base);
	chacha20_block(key, 1, nonce, next);
	nonce[11] = 1;
	chacha20_block(key, 0, nonce, other);
	/* Unrelated 64-byte blocks share about one byte in 256 by chance. */
	assert_true(bytes_differing(base, next, 64) > 56);
	assert_true(bytes_differing(base, other, 64) > 56);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc8439_block),
		cmocka_unit_test(test_counter_and_nonce_change_everything),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
