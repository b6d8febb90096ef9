/* SPDX-License-Identifier: Apache-2.0 */
/* Shared runtime of the x86_64 test guests (see guest.h). */
#include "guest.h"

void putc_uart(char c)
{
	while (!(inb(COM1 + 5) & 0x20)) /* LSR.THRE */
		;
	outb(COM1, (uint8_t)c);
}

uint64_t vmmcall4(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	uint64_t ret;
	register uint64_t rcx __asm__("rcx") = a4;
	__asm__ volatile("vmmcall" : "=a"(ret) : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(rcx) : "memory");
	return ret;
}

void system_off(void)
{
	outw(0x604, 1u << 13); /* ACPI PM1a_CNT: SLP_EN with SLP_TYP 0 (S5) */
	puts_uart("power-off returned!\n");
	for (;;)
		__asm__ volatile("cli; hlt");
}

void system_reset(void)
{
	outb(0xcf9, 0x06);
}

__attribute__((weak)) void secondary_main(uint64_t apic_id)
{
	(void)apic_id;
	for (;;)
		__asm__ volatile("cli; hlt");
}

void report_unexpected_trap(uint64_t vector, uint64_t error_code, const struct trap_frame *frame)
{
	puts_uart("unexpected trap: vector ");
	put_dec(vector);
	puts_uart(" error ");
	put_hex(error_code);
	puts_uart(" RIP ");
	put_hex(frame->rip);
	putc_uart('\n');
	system_off();
}

__attribute__((weak)) void guest_trap(uint64_t vector, uint64_t error_code, struct trap_frame *frame)
{
	report_unexpected_trap(vector, error_code, frame);
}
