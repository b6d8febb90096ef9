/* SPDX-License-Identifier: Apache-2.0 */
/* Micro-benchmarks run by bench/aarch64/run.sh under QEMU -icount shift=0, where one guest
 * instruction takes 1 ns of virtual time and the 62.5 MHz counter ticks every 16 instructions.
 * Each figure is the average over ITERATIONS round trips, minus an empty loop of the same length,
 * printed in counter ticks; run.sh converts to instructions. */
#include "guest.h"
#include "gic_guest.h"
#include "../common/latency.c"

#define ITERATIONS 20000
#define SMC_PSCI_VERSION 0x84000000UL
#define UART_FR (UART_BASE + 0x18)
#define VTIMER_INTID 27
#define LATENCY_SAMPLES 10000
#define INSNS_PER_TICK 16 /* the 62.5 MHz counter under -icount shift=0 */

static inline uint64_t now(void)
{
	__asm__ volatile("isb" ::: "memory");
	return read_reg("cntvct_el0");
}

static uint64_t empty_loop(void)
{
	uint64_t start = now();
	for (unsigned i = 0; i < ITERATIONS; i++)
		__asm__ volatile("" ::: "memory");
	return now() - start;
}

static uint64_t smc_loop(void)
{
	uint64_t start = now();
	for (unsigned i = 0; i < ITERATIONS; i++) {
		register uint64_t x0 __asm__("x0") = SMC_PSCI_VERSION;
		__asm__ volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
	}
	return now() - start;
}

static uint64_t mmio_loop(void)
{
	volatile uint32_t *fr = (volatile uint32_t *)UART_FR;
	uint64_t start = now();
	for (unsigned i = 0; i < ITERATIONS; i++)
		(void)*fr;
	return now() - start;
}

static volatile uint64_t deadline, samples;
static uint64_t cycle_offset; /* PMCCNTR_EL0 - 16 * CNTVCT_EL0 */
static struct latency timer;

/* The PMU's cycle counter, which QEMU counts in virtual nanoseconds, so one per instruction under
 * -icount shift=0: the counter's 16-instruction ticks are too coarse for a latency of some ten of
 * them. Counting at EL2 too (PMCCFILTR_EL0.NSH): the hypervisor's time is part of the latency. */
static inline uint64_t cycles(void)
{
	__asm__ volatile("isb" ::: "memory");
	return read_reg("pmccntr_el0");
}

static void cycles_start(void)
{
	write_reg("pmccfiltr_el0", 1u << 27);
	write_reg("pmcntenset_el0", 1u << 31);
	write_reg("pmcr_el0", read_reg("pmcr_el0") | 1); /* E */
	__asm__ volatile("isb");
	/* The counter's tick starts a 16-ns step: right after it changes, both clocks agree up to the
	 * few instructions of this loop, the same in every run. */
	uint64_t c = now();
	while (now() == c)
		;
	uint64_t tick = now();
	cycle_offset = cycles() - tick * INSNS_PER_TICK;
}

void guest_irq(void)
{
	uint64_t t = cycles();
	uint32_t ack = gic_ack();
	if (gic_intid(ack) == VTIMER_INTID) {
		latency_add(&timer, t - cycle_offset - deadline * INSNS_PER_TICK);
		samples++;
		write_reg("cntv_ctl_el0", 0);
	}
	gic_end(ack);
}

/* Virtual-timer latency: the deadline to the first instruction of the guest's handler, in
 * instructions (the cycle counter), LATENCY_SAMPLES times. */
static void timer_latency(void)
{
	gic_start();
	gic_enable(VTIMER_INTID);
	cycles_start();
	__asm__ volatile("msr daifclr, #2");
	for (unsigned i = 0; i < LATENCY_SAMPLES; i++) {
		uint64_t before = samples;
		deadline = now() + 2000;
		write_reg("cntv_cval_el0", deadline);
		write_reg("cntv_ctl_el0", 1);
		while (samples == before)
			__asm__ volatile("wfi");
	}
	__asm__ volatile("msr daifset, #2");
}

static void report(const char *name, uint64_t total, uint64_t empty)
{
	puts_uart("bench: ");
	puts_uart(name);
	puts_uart(" ticks_x1000_per_op=");
	put_dec((total - empty) * 1000 / ITERATIONS);
	putc_uart('\n');
}

void guest_main(uint64_t dtb)
{
	(void)dtb;
#ifdef BENCH_BARE_MACHINE
	/* On QEMU without a hypervisor (bench_bare.c): only the timer, whose latency is the floor. */
	timer_latency();
	latency_report("vtimer_bare", &timer, 1);
	puts_uart("bench: done\n");
	system_off();
#endif
	uint64_t empty = empty_loop();
	uint64_t smc = smc_loop();
	uint64_t mmio = mmio_loop();
	report("null_call_smc_psci_version", smc, empty);
	report("mmio_read_emulated_pl011", mmio, empty);
	timer_latency();
	latency_report("vtimer", &timer, 1);
	puts_uart("bench: done\n");
	system_off();
}
