/* SPDX-License-Identifier: Apache-2.0 */
/* Touches an address no device claims: the guest must get a data abort (not a dead VM, not a
 * hypervisor crash), survive it, and carry on. Then it touches 100 more such addresses, quietly:
 * the hypervisor logs eight addresses and counts the rest (its console is not the guest's to
 * flood). */
#include "guest.h"

#define UNCLAIMED_MMIO 0x0a000000UL
#define MORE_ADDRESSES 100

static volatile int aborts, quiet;

uint64_t guest_sync_exception(uint64_t esr, uint64_t far, uint64_t elr)
{
	aborts++;
	if (quiet)
		return elr + 4;
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
	quiet = 1;
	for (unsigned i = 1; i <= MORE_ADDRESSES; i++)
		v = *(volatile uint32_t *)(UNCLAIMED_MMIO + 0x100 * i);
	puts_uart("abort guest: ");
	put_dec((uint64_t)aborts);
	puts_uart(" aborts in all\n");
	system_off();
}
