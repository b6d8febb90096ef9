/* SPDX-License-Identifier: Apache-2.0 */
/* Uses RAM above 512 GiB (at 1 TiB), which needs more than a 39-bit IPA space: Tessera must pick a
 * larger stage-2 from the CPU's PARange. Writes a pattern there, reads it back. */
#include "guest.h"

#define HIGH_RAM 0x10000000000UL

void guest_main(uint64_t dtb)
{
	(void)dtb;
	volatile uint64_t *high = (volatile uint64_t *)HIGH_RAM;
	for (unsigned i = 0; i < 512; i++)
		high[i * 64] = 0x7e55e7a000000000UL + i;
	unsigned good = 0;
	for (unsigned i = 0; i < 512; i++)
		good += high[i * 64] == 0x7e55e7a000000000UL + i;
	puts_uart("highmem guest: ");
	put_dec(good);
	puts_uart(" of 512 words read back at 1 TiB\n");
	system_off();
}
