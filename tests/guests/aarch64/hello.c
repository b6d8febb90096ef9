/* SPDX-License-Identifier: Apache-2.0 */
/* The demo guest: greets through the UART, asks Tessera who it is, and powers its VM off. */
#include "guest.h"

void guest_main(uint64_t dtb)
{
	(void)dtb;
	puts_uart("Hello from a Tessera guest on aarch64!\n");
	uint64_t version = hvc(HYPERCALL_TESSERA_VERSION, 0, 0, 0);
	puts_uart("hypercall: Tessera version ");
	put_dec(version >> 16);
	putc_uart('.');
	put_dec((version >> 8) & 0xff);
	putc_uart('.');
	put_dec(version & 0xff);
	puts_uart(", VM id ");
	put_dec(hvc(HYPERCALL_TESSERA_VM_ID, 0, 0, 0));
	puts_uart(", PSCI version ");
	put_hex(hvc(PSCI_VERSION, 0, 0, 0));
	puts_uart("\nhello guest: powering off\n");
	system_off();
}
