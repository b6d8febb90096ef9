/* SPDX-License-Identifier: Apache-2.0 */
/* The demo guest: greets through COM1, asks Tessera who it is with VMMCALL and CPUID's hypervisor
 * leaf, and powers its VM off. */
#include "guest.h"

void guest_main(uint64_t arg)
{
	(void)arg;
	puts_uart("Hello from a Tessera guest on x86_64!\n");
	uint64_t version = vmmcall(HYPERCALL_TESSERA_VERSION, 0, 0, 0);
	puts_uart("hypercall: Tessera version ");
	put_dec(version >> 16);
	putc_uart('.');
	put_dec((version >> 8) & 0xff);
	putc_uart('.');
	put_dec(version & 0xff);
	puts_uart(", VM id ");
	put_dec(vmmcall(HYPERCALL_TESSERA_VM_ID, 0, 0, 0));
	puts_uart(", unknown call -> ");
	put_dec(-vmmcall(0x7777, 0, 0, 0));
	puts_uart(" (negated)\n");
	/* The hypervisor's signature: 12 bytes in ebx, ecx, edx of leaf 0x40000000. */
	uint32_t sig[4] = { 0 }, leaf = 0x40000000, subleaf = 0;
	__asm__ volatile("cpuid" : "+a"(leaf), "=b"(sig[0]), "+c"(subleaf), "=d"(sig[2]));
	sig[1] = subleaf;
	puts_uart("cpuid: hypervisor signature ");
	puts_uart((const char *)sig);
	puts_uart("\nhello guest: powering off\n");
	system_off();
}
