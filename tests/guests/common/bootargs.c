/* SPDX-License-Identifier: Apache-2.0 */
/* A test guest's command line: /chosen/bootargs of the device tree it was booted with (the VM
 * config's cmdline), and a number from it. Included by the guests that take one; enough of the
 * flattened tree format (Devicetree Specification 0.4, chapter 5) to find one property. */
#include <stdint.h>

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4

static uint32_t fdt_word(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static unsigned length_of(const char *s)
{
	unsigned n = 0;
	while (s[n])
		n++;
	return n;
}

/* The bootargs string, or "" when the tree has none. */
static const char *guest_bootargs(uint64_t dtb)
{
	const uint8_t *fdt = (const uint8_t *)(uintptr_t)dtb;
	if (!fdt || fdt_word(fdt) != FDT_MAGIC)
		return "";
	const uint8_t *p = fdt + fdt_word(fdt + 8);          /* off_dt_struct */
	const char *strings = (const char *)fdt + fdt_word(fdt + 12); /* off_dt_strings */
	const uint8_t *end = p + fdt_word(fdt + 36);         /* size_dt_struct */
	int depth = 0, in_chosen = 0;
	while (p + 4 <= end) {
		uint32_t token = fdt_word(p);
		p += 4;
		if (token == FDT_BEGIN_NODE) {
			const char *name = (const char *)p;
			depth++;
			in_chosen = depth == 2 && same(name, "chosen");
			p += (length_of(name) + 1 + 3) & ~3u;
		} else if (token == FDT_END_NODE) {
			depth--;
			in_chosen = 0;
		} else if (token == FDT_PROP) {
			uint32_t len = fdt_word(p), name = fdt_word(p + 4);
			if (in_chosen && same(strings + name, "bootargs"))
				return (const char *)p + 8;
			p += 8 + ((len + 3) & ~3u);
		} else if (token != FDT_NOP) {
			break; /* FDT_END, or not a tree we understand */
		}
	}
	return "";
}

/* The number after "key=" in the command line (decimal), or fallback. */
static uint64_t bootarg_number(uint64_t dtb, const char *key, uint64_t fallback)
{
	const char *args = guest_bootargs(dtb);
	unsigned key_length = length_of(key);
	for (const char *s = args; *s; s++) {
		if (s != args && s[-1] != ' ')
			continue; /* keys start words */
		unsigned i = 0;
		while (i < key_length && s[i] == key[i])
			i++;
		if (i != key_length || s[i] != '=')
			continue;
		uint64_t value = 0;
		for (s += i + 1; *s >= '0' && *s <= '9'; s++)
			value = value * 10 + (uint64_t)(*s - '0');
		return value;
	}
	return fallback;
}
