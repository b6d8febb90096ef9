/* SPDX-License-Identifier: Apache-2.0 */
/* Reboots its VM once with SBI SRST (cold reboot): the first boot asks for the reset, the second
 * (counted by the hypervisor, since RAM is wiped) powers off. */
#include "guest.h"

static uint64_t marker = 0x1234; /* in .data: a reset must bring back the image's value */

void guest_main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	(void)dtb;
	uint64_t boot = (uint64_t)hypercall(HYPERCALL_TESSERA_BOOT_COUNT);
	puts_uart("reset guest: boot ");
	put_dec(boot);
	puts_uart(", marker ");
	put_hex(marker);
	putc_uart('\n');
	marker = 0xdead;
	if (boot == 1) {
		puts_uart("reset guest: asking for SRST cold reboot\n");
		sbi_call(SBI_EXT_SRST, 0, 1, 0, 0);
		puts_uart("SRST reboot returned!\n");
	}
	system_off();
}
