/* SPDX-License-Identifier: Apache-2.0 */
/* Exit-path benchmark (bench/riscv64/run.sh runs it under QEMU -icount shift=0, where one
 * instruction takes 1 ns and the 10 MHz time CSR ticks every 100 instructions): a null SBI call
 * (BASE get_spec_version) and a read of the emulated UART's scratch register, each averaged over
 * many iterations, net of an empty loop. Prints instructions per round trip.
 *
 * Then the timer-interrupt latency with Sstc (stimecmp, which a guest under Tessera has as
 * vstimecmp and which raises its timer interrupt in VS-mode without an exit): from the deadline to
 * the first instruction of the C handler (guest_interrupt, after the shared trap vector of
 * start.S), read from the cycle CSR, which under -icount counts the same nanoseconds as the time
 * CSR's 10 MHz. QEMU arms its comparator D ticks after the write of stimecmp = time + D (it
 * converts the distance, not the deadline: target/riscv/time_helper.c), so the deadline is the
 * write's cycle + D * 100. The guest spins while it waits: the figure is the delivery, not a
 * wake-up from WFI. The same binary runs on bare QEMU (OpenSBI, S-mode) for the reference. */
#include "guest.h"
#include "../common/latency.c"

#define ITERATIONS 20000
#define INSNS_PER_TICK 100 /* 1 GHz under -icount shift=0, 10 MHz timebase */
#define UART_SCR 7
#define LATENCY_SAMPLES 10000
#define LATENCY_DISTANCE_TICKS 20
#define IRQ_S_TIMER 5
#define SIE_STIE (1UL << 5)
#define SSTATUS_SIE (1UL << 1)

static uint64_t empty_loop(void)
{
	uint64_t start = csr_read(time);
	for (int i = 0; i < ITERATIONS; i++)
		__asm__ volatile("" ::: "memory");
	return csr_read(time) - start;
}

static uint64_t null_calls(void)
{
	uint64_t start = csr_read(time);
	for (int i = 0; i < ITERATIONS; i++)
		sbi_call(SBI_EXT_BASE, 0, 0, 0, 0);
	return csr_read(time) - start;
}

static uint64_t mmio_reads(void)
{
	volatile uint8_t *scr = (volatile uint8_t *)(UART_BASE + UART_SCR);
	uint64_t start = csr_read(time);
	for (int i = 0; i < ITERATIONS; i++)
		(void)*scr;
	return csr_read(time) - start;
}

static void report(const char *what, uint64_t ticks, uint64_t empty)
{
	uint64_t net = ticks > empty ? ticks - empty : 0;
	puts_uart("bench: ");
	puts_uart(what);
	puts_uart(": ");
	put_dec(net * INSNS_PER_TICK / ITERATIONS);
	puts_uart(" instructions per round trip\n");
}

static volatile uint64_t deadline_cycle, samples;
static struct latency timer;

void guest_interrupt(uint64_t cause)
{
	uint64_t now = csr_read(cycle);
	if (cause != IRQ_S_TIMER)
		return;
	latency_add(&timer, now - deadline_cycle);
	samples++;
	__asm__ volatile("csrw 0x14d, %0" :: "r"(UINT64_MAX) : "memory"); /* stimecmp: disarmed */
}

static void timer_latency(void)
{
	if (!guest_has_sstc()) {
		puts_uart("bench: timer latency: no Sstc\n");
		return;
	}
	csr_set(sie, SIE_STIE);
	csr_set(sstatus, SSTATUS_SIE);
	for (int i = 0; i < LATENCY_SAMPLES; i++) {
		uint64_t before = samples;
		uint64_t deadline = csr_read(time) + LATENCY_DISTANCE_TICKS;
		uint64_t written;
		__asm__ volatile("csrr %0, cycle\n\tcsrw 0x14d, %1" : "=&r"(written) : "r"(deadline) : "memory");
		deadline_cycle = written + LATENCY_DISTANCE_TICKS * INSNS_PER_TICK;
		while (samples == before)
			;
	}
	csr_clear(sstatus, SSTATUS_SIE);
	latency_report("timer", &timer, 1);
}

void guest_main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	(void)dtb;
	uint64_t empty = empty_loop();
	report("null SBI call (BASE get_spec_version)", null_calls(), empty);
	report("emulated MMIO read (16550 SCR)", mmio_reads(), empty);
	timer_latency();
	system_off();
}
