/* SPDX-License-Identifier: Apache-2.0 */
/* Unclaimed MMIO and ports read as all ones and swallow writes (logged once by Tessera), and the
 * MMIO forms guests use on a real device (the local APIC's TPR) decode and act right: mov, movzx,
 * or, and, test, xchg, a rep stos, and cmp (flags of the subtraction, both operand orders). */
#include "guest.h"

#define UNCLAIMED_MMIO 0xd0000000UL
#define LAPIC_TPR (LAPIC_BASE + 0x80)

void guest_main(uint64_t arg)
{
	(void)arg;
	volatile uint32_t *p = (volatile uint32_t *)UNCLAIMED_MMIO;
	uint32_t v = *p;
	puts_uart("mmio guest: unclaimed MMIO read ");
	put_hex(v);
	putc_uart('\n');
	*p = 1;
	*p = 2;
	puts_uart("mmio guest: unclaimed port reads ");
	put_hex(inb(0x2f8));
	putc_uart(' ');
	put_hex(inl(0x1234));
	putc_uart('\n');

	volatile uint32_t *tpr = (volatile uint32_t *)LAPIC_TPR;
	uint32_t r1, r2, r3, r4;
	*tpr = 0x20;
	__asm__ volatile("orl $0x10, (%1); movl (%1), %0" : "=r"(r1) : "r"(tpr) : "memory", "cc");
	__asm__ volatile("andl $0xf0, (%1); movzbl (%1), %0" : "=r"(r2) : "r"(tpr) : "memory", "cc");
	uint32_t swap = 0x40;
	__asm__ volatile("xchgl %0, (%1)" : "+r"(swap) : "r"(tpr) : "memory");
	r3 = *tpr;
	uint8_t zero;
	__asm__ volatile("testl $0x40, (%1); setz %0" : "=r"(zero) : "r"(tpr) : "memory", "cc");
	uint64_t count = 4;
	void *dst = (void *)LAPIC_TPR;
	__asm__ volatile("rep stosl" : "+c"(count), "+D"(dst) : "a"(0x50) : "memory"); /* TPR, then 3 reserved words */
	r4 = *tpr;
	puts_uart("mmio guest: tpr or ");
	put_hex(r1);
	puts_uart(" and+movzx ");
	put_hex(r2);
	puts_uart(" xchg old ");
	put_hex(swap);
	puts_uart(" new ");
	put_hex(r3);
	puts_uart(" test-zero ");
	put_dec(zero);
	puts_uart(" stos ");
	put_hex(r4);
	puts_uart(" rcx ");
	put_dec(count);
	putc_uart('\n');
	/* TPR = 0x50: 0x50 - 0x60 borrows (CF, and less as signed), 0x50 - 0x50 is zero, and with
	 * memory as the subtrahend 0x40 - 0x50 borrows. */
	uint8_t below, less, equal, reverse_below;
	uint32_t same = 0x50, smaller = 0x40;
	__asm__ volatile("cmpl $0x60, (%2); setb %0; setl %1" : "=r"(below), "=r"(less) : "r"(tpr) : "memory", "cc");
	__asm__ volatile("cmpl %1, (%2); sete %0" : "=r"(equal) : "r"(same), "r"(tpr) : "memory", "cc");
	__asm__ volatile("cmpl (%2), %1; setb %0" : "=r"(reverse_below) : "r"(smaller), "r"(tpr) : "memory", "cc");
	puts_uart("mmio guest: cmp below ");
	put_dec(below);
	puts_uart(" less ");
	put_dec(less);
	puts_uart(" equal ");
	put_dec(equal);
	puts_uart(" reverse-below ");
	put_dec(reverse_below);
	putc_uart('\n');
	puts_uart("mmio guest: survived\n");
	system_off();
}
