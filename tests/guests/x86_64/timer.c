/* SPDX-License-Identifier: Apache-2.0 */
/* Local APIC timer interrupts: periodic, one-shot, then TSC-deadline, each counted by the
 * interrupt handler (vector 0x40) while the vCPU halts between them. */
#include "guest.h"

#define TIMER_VECTOR 0x40
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_INITIAL 0x380
#define LAPIC_CURRENT 0x390
#define LAPIC_DIVIDE 0x3e0

static volatile unsigned ticks;

void guest_trap(uint64_t vector, uint64_t error_code, struct trap_frame *frame)
{
	if (vector != TIMER_VECTOR)
		report_unexpected_trap(vector, error_code, frame);
	ticks++;
	lapic_write(LAPIC_EOI, 0);
}

static void wait_ticks(unsigned n)
{
	while (ticks < n)
		__asm__ volatile("sti; hlt; cli");
}

void guest_main(uint64_t arg)
{
	(void)arg;
	lapic_write(LAPIC_SVR, 0x1ff);
	lapic_write(LAPIC_DIVIDE, 0xb); /* divide by 1 */
	lapic_write(LAPIC_LVT_TIMER, TIMER_VECTOR | (1u << 17)); /* periodic */
	lapic_write(LAPIC_INITIAL, 2000000);                      /* 2 ms at the 1 GHz bus clock */
	uint32_t current = lapic_read(LAPIC_CURRENT);
	wait_ticks(5);
	lapic_write(LAPIC_INITIAL, 0); /* stop */
	puts_uart("timer guest: periodic ");
	put_dec(ticks);
	puts_uart(" ticks, current count was counting down: ");
	puts_uart(current > 0 && current <= 2000000 ? "yes\n" : "no\n");

	ticks = 0;
	lapic_write(LAPIC_LVT_TIMER, TIMER_VECTOR); /* one-shot */
	lapic_write(LAPIC_INITIAL, 1000000);
	wait_ticks(1);
	puts_uart("timer guest: one-shot fired\n");

	ticks = 0;
	lapic_write(LAPIC_LVT_TIMER, TIMER_VECTOR | (2u << 17)); /* TSC deadline */
	uint64_t deadline = rdtsc() + 3000000;
	__asm__ volatile("wrmsr" : : "c"(0x6e0), "a"((uint32_t)deadline), "d"((uint32_t)(deadline >> 32)));
	wait_ticks(1);
	uint64_t now = rdtsc();
	puts_uart("timer guest: TSC deadline fired ");
	puts_uart(now >= deadline ? "after" : "BEFORE");
	puts_uart(" the deadline\n");
	system_off();
}
