/* SPDX-License-Identifier: Apache-2.0 */
/* The ticker guest (tests/guests/common/ticker.c) on x86_64: the TSC (which a suspend's
 * tsc_offset moves) and the emulated COM1. */
#include "guest.h"

#define CLOCK_SHIFT 20
#define TICK_INTERVAL (1ULL << 28) /* about 0.1 s at a few GHz */

static uint64_t clock_now(void)
{
	return rdtsc();
}

static int uart_try_getc(void)
{
	if (!(inb(0x3f8 + 5) & 1)) /* LSR.DR */
		return -1;
	return inb(0x3f8);
}

#include "../common/ticker.c"

void guest_main(uint64_t arg)
{
	(void)arg;
	ticker_run(vmmcall(HYPERCALL_TESSERA_VM_ID, 0, 0, 0));
}
