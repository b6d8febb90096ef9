/* SPDX-License-Identifier: Apache-2.0 */
/* The VM's 8254 PIT (Intel 8254 datasheet), seen as a PC guest sees it: channel 0's count read
 * back going down through the counter latch (LSB then MSB) and through MSB-only reads; the
 * read-back command's status (OUT, mode) before and after a mode 0 terminal count; channel 2 gated
 * by port 0x61 bit 0 with its OUT on bit 5, as Linux's TSC calibration uses it; and IRQ 0 arriving
 * through the IOAPIC (ISA IRQ 0 on pin 2, the MADT's override) in modes 2 and 3, and exactly once
 * for a mode 0 one-shot. Every line prints what the guest observed; the e2e test checks it. */
#include "guest.h"

#define PIT_CHANNEL0 0x40
#define PIT_CHANNEL2 0x42
#define PIT_CONTROL 0x43
#define PORT_B 0x61
#define IOAPIC_BASE 0xfec00000UL
#define PIT_GSI 2
#define PIT_VECTOR 0x30
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define PIT_HZ 1193182u

/* Control words: channel << 6 | access << 4 | mode << 1; access 1 = LSB, 2 = MSB, 3 = LSB then MSB. */
#define CONTROL(channel, access, mode) ((uint8_t)((channel) << 6 | (access) << 4 | (mode) << 1))

static volatile unsigned interrupts;

void guest_trap(uint64_t vector, uint64_t error_code, struct trap_frame *frame)
{
	if (vector != PIT_VECTOR)
		report_unexpected_trap(vector, error_code, frame);
	interrupts++;
	lapic_write(LAPIC_EOI, 0);
}

static void ioapic_write(unsigned reg, uint32_t value)
{
	*(volatile uint32_t *)IOAPIC_BASE = reg;
	*(volatile uint32_t *)(IOAPIC_BASE + 0x10) = value;
}

/* Pin 2: the vector, fixed delivery, physical destination APIC 0, edge-triggered, active high. */
static void route_irq0(bool masked)
{
	ioapic_write(0x10 + 2 * PIT_GSI + 1, 0);
	ioapic_write(0x10 + 2 * PIT_GSI, PIT_VECTOR | (masked ? 1u << 16 : 0));
}

static void load_count(unsigned port, uint16_t count)
{
	outb(port, (uint8_t)count);
	outb(port, (uint8_t)(count >> 8));
}

static uint16_t latched_count(unsigned channel)
{
	outb(PIT_CONTROL, CONTROL(channel, 0, 0)); /* counter latch command */
	uint8_t lo = inb(PIT_CHANNEL0 + channel);
	return (uint16_t)(lo | inb(PIT_CHANNEL0 + channel) << 8);
}

/* Read-back command for channel 0's status only (datasheet: bit 5 set = no count, bit 4 clear). */
static uint8_t status0(void)
{
	outb(PIT_CONTROL, 0xc0 | 0x20 | 0x02);
	return inb(PIT_CHANNEL0);
}

static void spin(unsigned n)
{
	for (volatile unsigned i = 0; i < n; i++)
		;
}

/* Channel 2 as a stopwatch, the way Linux's pit_calibrate_tsc does: mode 0, gate through port
 * 0x61, OUT read back on bit 5. Returns after 'ticks' PIT ticks. */
static void wait_pit_ticks(uint16_t ticks)
{
	outb(PORT_B, inb(PORT_B) & ~0x03);
	outb(PIT_CONTROL, CONTROL(2, 3, 0));
	load_count(PIT_CHANNEL2, ticks);
	outb(PORT_B, (inb(PORT_B) & ~0x02) | 0x01);
	while (!(inb(PORT_B) & 0x20))
		;
	outb(PORT_B, inb(PORT_B) & ~0x01);
}

static void wait_interrupts(unsigned n)
{
	while (interrupts < n)
		__asm__ volatile("sti; hlt; cli");
}

static void mode0_counts_down(void)
{
	outb(PIT_CONTROL, CONTROL(0, 3, 0));
	load_count(PIT_CHANNEL0, 0xffff); /* about 55 ms */
	uint16_t counts[5];
	bool down = true;
	uint8_t status_before = status0();
	for (unsigned i = 0; i < 5; i++) {
		counts[i] = latched_count(0);
		if (i > 0 && counts[i] >= counts[i - 1])
			down = false;
		spin(2000);
	}
	puts_uart("pit guest: mode 0 latched counts");
	for (unsigned i = 0; i < 5; i++) {
		putc_uart(' ');
		put_dec(counts[i]);
	}
	puts_uart(down ? " going down: yes\n" : " going down: no\n");
	/* Status: bit 7 OUT, bits 5-4 access, bits 3-1 mode. */
	while (!(status0() & 0x80))
		;
	uint8_t status_after = status0();
	puts_uart("pit guest: mode 0 status before terminal count ");
	put_hex(status_before);
	puts_uart(", after ");
	put_hex(status_after);
	putc_uart('\n');
}

static void msb_only_reads(void)
{
	outb(PIT_CONTROL, CONTROL(0, 2, 2)); /* MSB only, rate generator */
	outb(PIT_CHANNEL0, 0xf0);             /* N = 0xf000, about 51 ms */
	uint8_t first = inb(PIT_CHANNEL0);
	wait_pit_ticks(2048);                 /* 8 MSB steps */
	uint8_t second = inb(PIT_CHANNEL0);
	puts_uart("pit guest: MSB-only reads ");
	put_dec(first);
	puts_uart(" then ");
	put_dec(second);
	puts_uart(second < first && first <= 0xf0 ? " going down: yes\n" : " going down: no\n");
}

static void gate_of_channel2(void)
{
	outb(PORT_B, inb(PORT_B) & ~0x03); /* gate low */
	outb(PIT_CONTROL, CONTROL(2, 3, 0));
	load_count(PIT_CHANNEL2, 5966);    /* 5 ms */
	uint16_t held1 = latched_count(2);
	spin(20000);
	uint16_t held2 = latched_count(2);
	bool out_low = !(inb(PORT_B) & 0x20);
	outb(PORT_B, inb(PORT_B) | 0x01);  /* gate high: counting starts */
	unsigned polls = 0;
	while (!(inb(PORT_B) & 0x20))
		polls++;
	uint16_t after = latched_count(2);
	outb(PORT_B, inb(PORT_B) & ~0x01);
	puts_uart("pit guest: channel 2 with gate low held ");
	put_dec(held1);
	puts_uart(" and ");
	put_dec(held2);
	puts_uart(held1 == 5966 && held2 == 5966 && out_low ? " (OUT2 low): yes" : ": no");
	puts_uart("; gate high: OUT2 rose after ");
	put_dec(polls);
	puts_uart(" polls, count then ");
	put_dec(after);
	putc_uart('\n');
}

static void periodic_interrupts(unsigned mode, uint16_t count, unsigned wanted)
{
	interrupts = 0;
	outb(PIT_CONTROL, CONTROL(0, 3, mode));
	load_count(PIT_CHANNEL0, count);
	wait_interrupts(wanted);
	outb(PIT_CONTROL, CONTROL(0, 3, 0)); /* a control word alone stops the count: OUT low, no edges */
	puts_uart("pit guest: mode ");
	put_dec(mode);
	puts_uart(" count ");
	put_dec(count);
	puts_uart(": ");
	put_dec(interrupts);
	puts_uart(" IRQ 0 interrupts on vector ");
	put_hex(PIT_VECTOR);
	putc_uart('\n');
}

static void one_shot(void)
{
	__asm__ volatile("sti; nop; cli"); /* anything left of the stopped count is delivered now */
	interrupts = 0;
	outb(PIT_CONTROL, CONTROL(0, 3, 0));
	load_count(PIT_CHANNEL0, PIT_HZ / 1000); /* 1 ms */
	__asm__ volatile("sti");
	wait_pit_ticks((uint16_t)(PIT_HZ / 50)); /* 20 ms */
	__asm__ volatile("cli");
	puts_uart("pit guest: mode 0 one-shot: ");
	put_dec(interrupts);
	puts_uart(" interrupt(s) in 20 ms\n");
}

void guest_main(uint64_t arg)
{
	(void)arg;
	lapic_write(LAPIC_SVR, 0x1ff);
	route_irq0(true);
	mode0_counts_down();
	msb_only_reads();
	gate_of_channel2();
	route_irq0(false);
	periodic_interrupts(2, (uint16_t)(PIT_HZ / 100), 10); /* 100 Hz */
	periodic_interrupts(3, (uint16_t)(PIT_HZ / 200), 5);  /* 200 Hz square wave */
	one_shot();
	system_off();
}
