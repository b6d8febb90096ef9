/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/kernel/entropy.c: the pool takes the boot device tree's /chosen/rng-seed, says
 * so in the log (and says when there is none), and hands every request bytes of its own. The
 * kernel's lock and log are fakes here; the device trees are written with lib/fdt_write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/entropy.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "lib/fdt_write.h"

static char log_text[1024];

void log_write(int level, const char *file, int line, const char *fmt, ...)
{
	(void)level, (void)file, (void)line;
	size_t used = strlen(log_text);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(log_text + used, sizeof(log_text) - used, fmt, ap);
	va_end(ap);
}

static int lock_depth;

unsigned long spin_lock_irqsave(struct spinlock *lock)
{
	(void)lock;
	lock_depth++;
	return 0;
}

void spin_unlock_irqrestore(struct spinlock *lock, unsigned long flags)
{
	(void)lock, (void)flags;
	lock_depth--;
}

static uint8_t tree[1024];

/* A boot device tree whose /chosen has a seed of seed_len bytes (none when 0). */
static const void *boot_tree(const uint8_t *seed, size_t seed_len)
{
	struct fdt_writer w;
	fdt_begin(&w, tree, sizeof(tree));
	fdt_begin_node(&w, "");
	fdt_begin_node(&w, "chosen");
	fdt_property_string(&w, "bootargs", "console=ttyS0");
	if (seed_len)
		fdt_property(&w, "rng-seed", seed, seed_len);
	fdt_end_node(&w);
	fdt_end_node(&w);
	assert_true(fdt_finish(&w) > 0);
	return tree;
}

static void test_without_a_seed_there_is_nothing_to_give(void **state)
{
	(void)state;
	log_text[0] = '\0';
	entropy_init(NULL); /* x86_64: no device tree, and nothing to say */
	assert_string_equal(log_text, "");
	entropy_init(boot_tree(NULL, 0));
	uint8_t untouched[8] = { 0 };
	assert_false(entropy_get(untouched, sizeof(untouched)));
	assert_memory_equal(untouched, (uint8_t[8]){ 0 }, sizeof(untouched));
	assert_non_null(strstr(log_text, "no rng-seed"));
}

static void test_every_request_gets_bytes_of_its_own(void **state)
{
	(void)state;
	uint8_t seed[32];
	for (size_t i = 0; i < sizeof(seed); i++)
		seed[i] = (uint8_t)(i * 7 + 3);
	log_text[0] = '\0';
	entropy_init(boot_tree(seed, sizeof(seed)));
	assert_non_null(strstr(log_text, "32-byte rng-seed"));

	uint8_t first[64], second[64], longer[150], zeros[150] = { 0 };
	assert_true(entropy_get(first, sizeof(first)));
	assert_true(entropy_get(second, sizeof(second)));
	assert_true(entropy_get(longer, sizeof(longer)));
	assert_int_equal(lock_depth, 0);
	assert_memory_not_equal(first, second, sizeof(first));
	assert_memory_not_equal(first, seed, sizeof(seed));
	assert_memory_not_equal(second, longer, sizeof(second));
	/* A request longer than one ChaCha20 block is filled to its end, with no block repeated. */
	assert_memory_not_equal(longer + 86, zeros, 64);
	assert_memory_not_equal(longer, longer + 64, 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_a_seed_there_is_nothing_to_give),
		cmocka_unit_test(test_every_request_gets_bytes_of_its_own),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
