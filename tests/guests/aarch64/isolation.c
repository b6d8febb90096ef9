/* SPDX-License-Identifier: Apache-2.0 */
/* Probes memory the guest was not given: just past its RAM, the hypervisor's own load address
 * on the host, and the top of the IPA space. Every probe must fault in the guest. */
#include "guest.h"

static volatile int faults;

uint64_t guest_sync_exception(uint64_t esr, uint64_t far, uint64_t elr)
{
	(void)esr;
	(void)far;
	faults++;
	return elr + 4;
}

static const uint64_t probes[] = {
	0x41000000UL,  /* the first byte after 16 MiB of guest RAM */
	0x48000000UL,  /* where QEMU put the host's device tree */
	0x7ff00000UL,  /* near the top of the host's RAM */
	0x7ffffff000UL, /* the top of the 39-bit IPA space */
};

void guest_main(uint64_t dtb)
{
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
