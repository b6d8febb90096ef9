/* SPDX-License-Identifier: Apache-2.0 */
/* Touches an address no device claims: the guest must get a data abort (not a dead VM, not a
 * hypervisor crash), survive it, and carry on. */
#include "guest.h"

#define UNCLAIMED_MMIO 0x0a000000UL

static volatile int aborts;

uint64_t guest_sync_exception(uint64_t esr, uint64_t far, uint64_t elr)
{
	aborts++;
	puts_uart("abort guest: caught exception class ");
	put_hex(esr >> 26);
	puts_uart(" at FAR ");
	put_hex(far);
	putc_uart('\n');
	return elr + 4; /* skip the faulting load */
}

void guest_main(uint64_t dtb)
{
	(void)dtb;
	puts_uart("abort guest: reading unclaimed MMIO\n");
	volatile uint32_t *p = (volatile uint32_t *)UNCLAIMED_MMIO;
	uint32_t v = *p;
	(void)v;
	puts_uart("abort guest: writing it twice\n");
	*p = 1;
	*p = 2;
	puts_uart("abort guest: survived ");
	put_dec((uint64_t)aborts);
	puts_uart(" aborts\n");
	system_off();
}
