/* SPDX-License-Identifier: Apache-2.0 */
/* Probes memory the guest was not given: just past its RAM, the host's PLIC, near the top of the
 * host's RAM, and the top of the Sv39x4 guest-physical space. Every probe must fault in the guest. */
#include "guest.h"

static volatile int faults;

uint64_t guest_exception(uint64_t scause, uint64_t stval, uint64_t sepc)
{
	(void)scause;
	(void)stval;
	faults++;
	uint16_t first = *(volatile uint16_t *)sepc;
	return sepc + ((first & 3) == 3 ? 4 : 2);
}

static const uint64_t probes[] = {
	0x81000000UL,    /* the first byte after 16 MiB of guest RAM */
	0x0c000000UL,    /* the host's PLIC */
	0xbff00000UL,    /* near the top of the host's 1 GiB of RAM */
	0x1fffffff000UL, /* the top of the 41-bit guest-physical space */
};

void guest_main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	(void)dtb;
	for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		int before = faults;
		volatile uint64_t *p = (volatile uint64_t *)probes[i];
		uint64_t v = *p;
		(void)v;
		puts_uart("isolation guest: read ");
		put_hex(probes[i]);
		puts_uart(faults > before ? " faulted\n" : " DID NOT FAULT\n");
	}
	puts_uart("isolation guest: ");
	put_dec((uint64_t)faults);
	puts_uart(" of 4 probes faulted\n");
	system_off();
}
