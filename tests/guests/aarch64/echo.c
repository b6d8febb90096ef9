/* SPDX-License-Identifier: Apache-2.0 */
/* Reads a line typed on the hypervisor's console through the emulated PL011 (polling UARTFR) and
 * answers it in capitals: console input reaches the guest that has the focus. */
#include "guest.h"

static int getc_uart(void)
{
	volatile uint32_t *uart = (volatile uint32_t *)UART_BASE;
	while (uart[0x18 / 4] & (1u << 4)) /* UARTFR.RXFE */
		;
	return (int)(uart[0] & 0xff);
}

void guest_main(uint64_t dtb)
{
	(void)dtb;
	char line[64];
	unsigned n = 0;
	puts_uart("echo guest: type a line> ");
	for (;;) {
		int c = getc_uart();
		if (c == '\r' || c == '\n')
			break;
		if (n < sizeof(line) - 1)
			line[n++] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
	}
	line[n] = 0;
	puts_uart("\necho guest: ");
	puts_uart(line);
	putc_uart('\n');
	system_off();
}
