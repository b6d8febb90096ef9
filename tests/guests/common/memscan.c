/* SPDX-License-Identifier: Apache-2.0 */
/* The memory-hygiene guest (tests/e2e/test_scrub.py): does a VM ever see data it did not write?
 * At every boot it reads all of its RAM (less its own image, stack and device tree) and counts the
 * words that are not zero, and among those the ones its previous run left: a pattern that is a
 * function of the address. Its first boot then fills its RAM with that pattern and asks for a
 * reset; a later boot powers off. By default (docs/config.md) the second boot must find nothing;
 * with `keep_ram_on_reset = true` it must find the whole pattern. Each arch's memscan.c defines
 * MEMSCAN_RAM_BASE/SIZE and MEMSCAN_IMAGE_BASE, includes this, defines arch_boot_count and
 * arch_reset, and sets dtb_start/dtb_end where it was given a device tree. */
#include <stdint.h>

static uint64_t arch_boot_count(void);
static void arch_reset(void);

extern char __bss_end[];
static uint64_t dtb_start, dtb_end; /* the device tree it was booted with, if any */

/* Where a range of its own (image and stack, device tree) that contains a ends; 0 if a is in none. */
static uint64_t arch_own_range_end(uint64_t a)
{
	if (a >= MEMSCAN_IMAGE_BASE && a < (uint64_t)__bss_end)
		return (uint64_t)__bss_end;
	if (a >= dtb_start && a < dtb_end)
		return dtb_end;
	return 0;
}

static uint64_t pattern_at(uint64_t a)
{
	return 0xa5a5a5a5a5a5a5a5ull ^ (a * 0x9e3779b97f4a7c15ull);
}

struct scan {
	uint64_t words;   /* looked at */
	uint64_t stray;   /* not zero */
	uint64_t pattern; /* of those, the previous run's pattern */
	uint64_t first;   /* the address of the first stray word */
};

static void scan_ram(struct scan *s)
{
	*s = (struct scan){ 0 };
	for (uint64_t a = MEMSCAN_RAM_BASE; a < MEMSCAN_RAM_BASE + MEMSCAN_RAM_SIZE; a += 8) {
		uint64_t skip_to = arch_own_range_end(a);
		if (skip_to) {
			a = ((skip_to + 7) & ~7ull) - 8;
			continue;
		}
		uint64_t value = *(volatile uint64_t *)a;
		s->words++;
		if (!value)
			continue;
		if (!s->stray)
			s->first = a;
		s->stray++;
		if (value == pattern_at(a))
			s->pattern++;
	}
}

static void fill_ram(void)
{
	for (uint64_t a = MEMSCAN_RAM_BASE; a < MEMSCAN_RAM_BASE + MEMSCAN_RAM_SIZE; a += 8) {
		uint64_t skip_to = arch_own_range_end(a);
		if (skip_to) {
			a = ((skip_to + 7) & ~7ull) - 8;
			continue;
		}
		*(volatile uint64_t *)a = pattern_at(a);
	}
}

static void memscan_run(void)
{
	uint64_t boot = arch_boot_count();
	struct scan s;
	scan_ram(&s);
	puts_uart("memscan: boot ");
	put_dec(boot);
	puts_uart(": ");
	put_dec(s.stray);
	puts_uart(" of ");
	put_dec(s.words);
	puts_uart(" words not zero, ");
	put_dec(s.pattern);
	puts_uart(" of them the last run's");
	if (s.stray) {
		puts_uart(", the first at ");
		put_hex(s.first);
	}
	putc_uart('\n');
	if (boot == 1) {
		fill_ram();
		puts_uart("memscan: filled its RAM, asking for a reset\n");
		arch_reset();
		puts_uart("memscan: the reset returned\n");
	}
}
