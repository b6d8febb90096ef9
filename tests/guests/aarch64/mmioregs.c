/* SPDX-License-Identifier: Apache-2.0 */
/* MMIO through every kind of register: Tessera finishes an access through x0-x18 or x30 on its
 * quick exit path and one through x19-x29 on the full path, so the same loads and stores are made
 * through both and must give the same results: widths, sign extension, W registers (upper half
 * zero), XZR, stores, and an unclaimed address, which aborts either way. */
#include "guest.h"

#define PL011_IMSC (UART_BASE + 0x038)
#define PL011_PERIPHID0 (UART_BASE + 0xfe0) /* reads 0x11 */
#define PL011_PCELLID1 (UART_BASE + 0xff4)  /* reads 0xf0: negative as a signed byte */
#define UNCLAIMED_MMIO 0x0a000000UL


static volatile unsigned aborts;

uint64_t guest_sync_exception(uint64_t esr, uint64_t far, uint64_t elr)
{
	(void)esr;
	(void)far;
	aborts++;
	return elr + 4;
}

static void show(const char *what, uint64_t quick, uint64_t full)
{
	puts_uart("mmioregs: ");
	puts_uart(what);
	puts_uart(" x5 ");
	put_hex(quick);
	puts_uart(" x20 ");
	put_hex(full);
	putc_uart('\n');
}

void guest_main(uint64_t dtb)
{
	(void)dtb;
	uint64_t q, f;
	__asm__ volatile("mov x5, #-1\n\tldrb w5, [%1]\n\tmov %0, x5" : "=r"(q) : "r"(PL011_PERIPHID0) : "x5", "memory");
	__asm__ volatile("mov x20, #-1\n\tldrb w20, [%1]\n\tmov %0, x20" : "=r"(f) : "r"(PL011_PERIPHID0) : "x20", "memory");
	show("ldrb", q, f);
	__asm__ volatile("ldrsb x5, [%1]\n\tmov %0, x5" : "=r"(q) : "r"(PL011_PCELLID1) : "x5", "memory");
	__asm__ volatile("ldrsb x20, [%1]\n\tmov %0, x20" : "=r"(f) : "r"(PL011_PCELLID1) : "x20", "memory");
	show("ldrsb x", q, f);
	__asm__ volatile("mov x5, #-1\n\tldrsb w5, [%1]\n\tmov %0, x5" : "=r"(q) : "r"(PL011_PCELLID1) : "x5", "memory");
	__asm__ volatile("mov x20, #-1\n\tldrsb w20, [%1]\n\tmov %0, x20" : "=r"(f) : "r"(PL011_PCELLID1) : "x20", "memory");
	show("ldrsb w", q, f);
	/* A store from each side, read back from the other. */
	__asm__ volatile("mov w6, #0x40\n\tstr w6, [%1]\n\tldr w20, [%1]\n\tmov %0, x20"
			 : "=r"(q) : "r"(PL011_IMSC) : "x6", "x20", "memory");
	__asm__ volatile("mov w22, #0x10\n\tstr w22, [%1]\n\tldr w5, [%1]\n\tmov %0, x5"
			 : "=r"(f) : "r"(PL011_IMSC) : "x5", "x22", "memory");
	show("str/ldr", q, f);
	__asm__ volatile("str wzr, [%0]" : : "r"(PL011_IMSC) : "memory");
	__asm__ volatile("ldr w5, [%1]\n\tmov %0, x5" : "=r"(q) : "r"(PL011_IMSC) : "x5", "memory");
	show("str wzr", q, q);
	__asm__ volatile("ldr w5, [%0]" : : "r"(UNCLAIMED_MMIO) : "x5", "memory");
	__asm__ volatile("ldr w21, [%0]" : : "r"(UNCLAIMED_MMIO) : "x21", "memory");
	puts_uart("mmioregs: unclaimed loads aborted ");
	put_dec(aborts);
	puts_uart(" times\n");
	system_off();
}
