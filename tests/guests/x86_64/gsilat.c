/* SPDX-License-Identifier: Apache-2.0 */
/* Latency of a passed-through device interrupt (issue 19), run by bench/x86_64/run.sh under
 * -icount shift=0, where the TSC counts one per instruction, the hypervisor's included. The guest
 * owns the machine's COM2 and its IOAPIC input 3 (gsilat.toml; run.sh gives QEMU a second serial
 * port for it) and measures, LATENCY_SAMPLES times, the instructions from its write of
 * IER.ETBEI, which raises the UART's THR-empty interrupt at once (the transmitter is idle), to the
 * first instruction of its handler: taken by the host's IOAPIC and local APIC, put on the VM's
 * IOAPIC pin of the same number, delivered by its local APIC. The guest spins while it waits. */
#include "guest.h"
#include "../common/latency_probe.c"

#define COM2 0x2f8
#define UART_IER 1
#define UART_IIR 2
#define IER_ETBEI 0x02
#define UART_GSI 3
#define UART_VECTOR 0x43
#define IOAPIC_BASE 0xfec00000UL
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LATENCY_SAMPLES 10000

static struct latency_probe gsi;

void guest_trap(uint64_t vector, uint64_t error_code, struct trap_frame *frame)
{
	uint64_t now = rdtsc();
	(void)error_code;
	(void)frame;
	if (vector == UART_VECTOR) {
		latency_taken(&gsi, now);
		(void)inb(COM2 + UART_IIR); /* reading THR-empty in IIR clears it */
		outb(COM2 + UART_IER, 0);
	}
	lapic_write(LAPIC_EOI, 0);
}

static void ioapic_write(unsigned reg, uint32_t value)
{
	*(volatile uint32_t *)IOAPIC_BASE = reg;
	*(volatile uint32_t *)(IOAPIC_BASE + 0x10) = value;
}

void guest_main(uint64_t arg)
{
	(void)arg;
	outb(COM2 + UART_IER, 0);
	lapic_write(LAPIC_SVR, 0x1ff);
	/* Pin 3: the vector, fixed delivery, physical destination APIC 0, edge-triggered, active high. */
	ioapic_write(0x10 + 2 * UART_GSI + 1, 0);
	ioapic_write(0x10 + 2 * UART_GSI, UART_VECTOR);
	__asm__ volatile("sti");
	for (unsigned i = 0; i < LATENCY_SAMPLES; i++) {
		uint64_t before = gsi.samples;
		latency_raise(&gsi, rdtsc());
		outb(COM2 + UART_IER, IER_ETBEI);
		while (gsi.samples == before)
			__asm__ volatile("pause");
	}
	__asm__ volatile("cli");
	latency_probe_report("gsi", &gsi);
	system_off();
}
