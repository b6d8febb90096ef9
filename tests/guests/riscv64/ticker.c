/* SPDX-License-Identifier: Apache-2.0 */
/* The ticker guest (tests/guests/common/ticker.c) on riscv64: the time CSR (which a suspend's
 * htimedelta moves; 10 MHz on QEMU's virt) and the emulated 16550. */
#include "guest.h"

#define CLOCK_SHIFT 10
#define TICK_INTERVAL 2000000 /* 0.2 s at QEMU virt's 10 MHz timebase */

static uint64_t clock_now(void)
{
	uint64_t v;
	__asm__ volatile("rdtime %0" : "=r"(v));
	return v;
}

static int uart_try_getc(void)
{
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
	if (!(uart[5] & 1)) /* LSR.DR */
		return -1;
	return uart[0];
}

#include "../common/ticker.c"

void guest_main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	(void)dtb;
	ticker_run((uint64_t)hypercall(HYPERCALL_TESSERA_VM_ID));
}
