/* SPDX-License-Identifier: Apache-2.0 */
/* The ticker guest (tests/guests/common/ticker.c) on aarch64: the virtual counter (CNTVCT_EL0,
 * which a suspend's CNTVOFF moves) and the emulated PL011. */
#include "guest.h"

#define CLOCK_SHIFT 10
static uint64_t tick_interval;
#define TICK_INTERVAL tick_interval

static uint64_t clock_now(void)
{
	uint64_t v;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static int uart_try_getc(void)
{
	volatile uint32_t *uart = (volatile uint32_t *)UART_BASE;
	if (uart[0x18 / 4] & (1u << 4)) /* UARTFR.RXFE */
		return -1;
	return (int)(uart[0] & 0xff);
}

#include "../common/ticker.c"

void guest_main(uint64_t dtb)
{
	(void)dtb;
	uint64_t hz;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(hz));
	tick_interval = hz / 5;
	ticker_run(hvc(HYPERCALL_TESSERA_VM_ID, 0, 0, 0));
}
