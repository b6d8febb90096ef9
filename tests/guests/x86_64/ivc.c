/* SPDX-License-Identifier: Apache-2.0 */
/* IVC checks (tests/guests/common/ivc.c) on x86_64: hypercalls by VMMCALL (rax = number, rdi,
 * rsi, rdx, rcx the arguments), the doorbell an IOAPIC pin (edge, to APIC 0), and a window that
 * is gone read as a PC reads where nothing answers: all ones. */
#include "guest.h"

#define RAM_END 0x1000000ull
#define IOAPIC_BASE 0xfec00000UL
#define DOORBELL_PIN 10
#define DOORBELL_VECTOR 0x31
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0

static volatile unsigned doorbells;

static long ivc_call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return (long)vmmcall4(nr, a0, a1, a2, a3);
}

/* Nothing faults here: a window that is gone reads as all ones. */
static uint32_t load32(volatile uint32_t *p)
{
	uint32_t v;
	__asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(p) : "memory");
	return v;
}

static void ioapic_write(unsigned reg, uint32_t value)
{
	*(volatile uint32_t *)IOAPIC_BASE = reg;
	*(volatile uint32_t *)(IOAPIC_BASE + 0x10) = value;
}

static void doorbell_setup(void)
{
	lapic_write(LAPIC_SVR, 0x1ff);
	/* The pin: fixed delivery, physical destination APIC 0, edge-triggered, active high. */
	ioapic_write(0x10 + 2 * DOORBELL_PIN + 1, 0);
	ioapic_write(0x10 + 2 * DOORBELL_PIN, DOORBELL_VECTOR);
}

static void wait_for_interrupt(void)
{
	/* STI's shadow covers HLT: an interrupt pending now wakes the HLT, not the code before it. */
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

static uint64_t bench_ticks(void)
{
	return rdtsc(); /* one tick an instruction under -icount shift=0 */
}

#include "../common/ivc.c"

void guest_trap(uint64_t vector, uint64_t error_code, struct trap_frame *frame)
{
	if (vector != DOORBELL_VECTOR)
		report_unexpected_trap(vector, error_code, frame);
	doorbells++;
	lapic_write(LAPIC_EOI, 0);
}

void guest_main(uint64_t arg)
{
	(void)arg;
	ivc_main();
	system_off();
}
