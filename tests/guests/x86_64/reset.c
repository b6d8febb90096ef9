/* SPDX-License-Identifier: Apache-2.0 */
/* Reboots its VM once through the reset control port 0xcf9: the first boot asks for the reset,
 * the second (counted by the hypervisor, since RAM is wiped) powers off. */
#include "guest.h"

static uint64_t marker = 0x1234; /* in .data: a reset must bring back the image's value */

void guest_main(uint64_t arg)
{
	(void)arg;
	uint64_t boot = vmmcall(HYPERCALL_TESSERA_BOOT_COUNT, 0, 0, 0);
	puts_uart("reset guest: boot ");
	put_dec(boot);
	puts_uart(", marker ");
	put_hex(marker);
	putc_uart('\n');
	marker = 0xdead;
	if (boot == 1) {
		puts_uart("reset guest: asking for a reset\n");
		system_reset();
		puts_uart("reset returned!\n");
	}
	system_off();
}
