/* SPDX-License-Identifier: Apache-2.0 */
/* Probes guest-physical memory the VM was not given: past its RAM, where the hypervisor lives on
 * the host, above 4 GiB and near the top of the mapped space. Each probe must read all ones and
 * keep nothing written to it: it is nobody's memory, never the host's or another VM's. */
#include "guest.h"

static const uint64_t probes[] = {
	0x1000000UL,     /* the first byte after 16 MiB of guest RAM */
	0x3fe00000UL,    /* near the top of the host's first GiB */
	0x100000000UL,   /* 4 GiB */
	0x7ffffff000UL,  /* the top of what the guest's own page tables map */
};

void guest_main(uint64_t arg)
{
	(void)arg;
	int isolated = 0;
	for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		volatile uint64_t *p = (volatile uint64_t *)probes[i];
		uint64_t before = *p;
		*p = 0x1234567887654321ULL;
		uint64_t after = *p;
		puts_uart("isolation guest: ");
		put_hex(probes[i]);
		bool ok = before == ~0ULL && after == ~0ULL;
		puts_uart(ok ? " reads all ones, write discarded\n" : " LEAKED\n");
		isolated += ok;
	}
	puts_uart("isolation guest: ");
	put_dec((uint64_t)isolated);
	puts_uart(" of 4 probes isolated\n");
	system_off();
}
