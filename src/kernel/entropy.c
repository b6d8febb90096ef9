/* SPDX-License-Identifier: Apache-2.0 */
/* The entropy pool (kernel/entropy.h). The firmware's seed is absorbed into a ChaCha20 key
 * (lib/chacha20.h); each request then takes blocks of keystream and replaces the key with fresh
 * keystream before returning ("fast key erasure"), so no two callers get the same bytes and the
 * bytes given out are gone from the pool. QEMU's virt machines and U-Boot (on boards with an RNG)
 * write /chosen/rng-seed; Tessera does not consume the host's seed in place, so the boot tree is
 * left as it was. */
#include "kernel/entropy.h"
#include "kernel/spinlock.h"
#include "kernel/log.h"
#include "lib/chacha20.h"
#include "lib/fdt.h"
#include "lib/string.h"

static struct spinlock pool_lock = SPINLOCK_INIT;
static uint8_t pool_key[CHACHA20_KEY_BYTES];
static uint64_t pool_requests; /* the nonce: never the same twice for one key */
static bool seeded;

/* Keystream block `counter` for the current key and request. */
static void pool_block(uint32_t counter, uint8_t out[CHACHA20_BLOCK_BYTES])
{
	uint8_t nonce[12] = { 0 };
	memcpy(nonce, &pool_requests, sizeof(pool_requests));
	chacha20_block(pool_key, counter, nonce, out);
}

/* Replaces the key with keystream block 0 of the current request and moves to the next request:
 * what was generated under the old key cannot be recomputed from the new one. */
static void rekey(void)
{
	uint8_t block[CHACHA20_BLOCK_BYTES];
	pool_block(0, block);
	memcpy(pool_key, block, CHACHA20_KEY_BYTES);
	pool_requests++;
	memset(block, 0, sizeof(block));
}

/* Folds up to a key's worth of seed into the key, then re-keys: the key depends on every byte
 * absorbed so far. The seed is assumed random (the firmware's job); this spreads it, it does not
 * make weak input strong. */
static void absorb(const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < len; i++)
		pool_key[i % CHACHA20_KEY_BYTES] ^= data[i];
	rekey();
}

void entropy_init(const void *fdt)
{
	/* No device tree (x86_64): the guests have none either, and take RDRAND. */
	if (!fdt)
		return;
	int chosen = fdt_path_offset(fdt, "/chosen");
	int len = 0;
	const uint8_t *seed = chosen >= 0 ? fdt_getprop(fdt, chosen, "rng-seed", &len) : NULL;
	if (!seed || len <= 0) {
		log_warn("Entropy: no rng-seed in the device tree; guests get none");
		return;
	}
	for (int at = 0; at < len; at += CHACHA20_KEY_BYTES)
		absorb(seed + at, (size_t)(len - at < CHACHA20_KEY_BYTES ? len - at : CHACHA20_KEY_BYTES));
	seeded = true;
	log_info("Entropy: %d-byte rng-seed from the device tree", len);
}

bool entropy_get(void *buf, size_t len)
{
	if (!seeded)
		return false;
	uint8_t block[CHACHA20_BLOCK_BYTES];
	uint8_t *out = buf;
	unsigned long flags = spin_lock_irqsave(&pool_lock);
	/* Block 0 becomes the next key; the caller's bytes come from blocks 1 onwards. */
	uint32_t counter = 1;
	while (len) {
		pool_block(counter++, block);
		size_t n = len < sizeof(block) ? len : sizeof(block);
		memcpy(out, block, n);
		out += n, len -= n;
	}
	rekey();
	spin_unlock_irqrestore(&pool_lock, flags);
	memset(block, 0, sizeof(block));
	return true;
}
