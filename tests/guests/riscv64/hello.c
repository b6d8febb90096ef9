/* SPDX-License-Identifier: Apache-2.0 */
/* The demo guest: greets through the UART, asks Tessera who it is and which SBI it speaks, and
 * powers its VM off with SBI SRST. */
#include "guest.h"

void guest_main(uint64_t hartid, uint64_t dtb)
{
	(void)dtb;
	puts_uart("Hello from a Tessera guest on riscv64!\n");
	long version = hypercall(HYPERCALL_TESSERA_VERSION);
	puts_uart("hypercall: Tessera version ");
	put_dec((uint64_t)version >> 16);
	putc_uart('.');
	put_dec(((uint64_t)version >> 8) & 0xff);
	putc_uart('.');
	put_dec((uint64_t)version & 0xff);
	puts_uart(", VM id ");
	put_dec((uint64_t)hypercall(HYPERCALL_TESSERA_VM_ID));
	puts_uart(", hart ");
	put_dec(hartid);
	puts_uart(", SBI spec ");
	put_hex((uint64_t)sbi_call(SBI_EXT_BASE, 0, 0, 0, 0).value);
	puts_uart(", unknown SBI extension -> ");
	put_dec((uint64_t)-sbi_call(0x12345678, 0, 0, 0, 0).error);
	puts_uart(" (negated)\nhello guest: powering off\n");
	system_off();
}
