/* SPDX-License-Identifier: Apache-2.0 */
/* Console output helpers every test guest shares; each arch's runtime.c provides putc_uart. */
#include <stdint.h>

void putc_uart(char c);

void puts_uart(const char *s)
{
	while (*s)
		putc_uart(*s++);
}

void put_hex(uint64_t value)
{
	puts_uart("0x");
	int started = 0;
	for (int shift = 60; shift >= 0; shift -= 4) {
		unsigned digit = (value >> shift) & 0xf;
		if (digit || started || shift == 0) {
			putc_uart("0123456789abcdef"[digit]);
			started = 1;
		}
	}
}

void put_dec(uint64_t value)
{
	char buf[24];
	int n = 0;
	do {
		buf[n++] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	while (n)
		putc_uart(buf[--n]);
}
