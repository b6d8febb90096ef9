/* SPDX-License-Identifier: Apache-2.0 */
/* Shared runtime of the aarch64 test guests (see guest.h). */
#include "guest.h"

/* Weak, as system_off: the guests built for a bare board (zcu102_bare.h) bring their own. */
__attribute__((weak)) void putc_uart(char c)
{
	volatile uint32_t *uart = (volatile uint32_t *)UART_BASE;
	while (uart[0x18 / 4] & (1u << 5)) /* UARTFR.TXFF */
		;
	uart[0] = (uint32_t)c;
}

uint64_t hvc4(uint64_t function, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	register uint64_t x0 __asm__("x0") = function;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	register uint64_t x4 __asm__("x4") = a4;
	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4) : : "memory");
	return x0;
}

__attribute__((weak)) void system_off(void)
{
	hvc(PSCI_SYSTEM_OFF, 0, 0, 0);
	puts_uart("SYSTEM_OFF returned!\n");
	for (;;)
		__asm__ volatile("wfi");
}

__attribute__((weak)) void secondary_main(uint64_t index)
{
	(void)index;
	hvc(PSCI_CPU_OFF, 0, 0, 0);
}

__attribute__((weak)) uint64_t guest_sync_exception(uint64_t esr, uint64_t far, uint64_t elr)
{
	puts_uart("unexpected exception: ESR ");
	put_hex(esr);
	puts_uart(" FAR ");
	put_hex(far);
	puts_uart(" ELR ");
	put_hex(elr);
	putc_uart('\n');
	system_off();
}

__attribute__((weak)) void guest_irq(void)
{
}
