/* SPDX-License-Identifier: Apache-2.0 */
/* The time-stamp counter is the hypervisor's clock (arch_timer_now). Its rate is measured once at
 * boot against the PIT (pit.c), whose 1.193182 MHz is fixed on every PC, because QEMU (host TSC rate) and
 * real CPUs differ and AMD CPUs report no TSC frequency in CPUID. It is one clock for all CPUs: all
 * start from the same reset and Tessera never writes the TSC; an invariant TSC (CPUID
 * 8000_0007h EDX[8], AMD APM vol. 3, E.4.7) also keeps its rate across power states. */
#include "arch_impl/msr.h"
#include "arch_impl/setup.h"
#include "arch/cpu.h"
#include "arch/timer.h"
#include "kernel/log.h"

/* Good enough: a PC's 14.318 MHz crystal, which drives the PIT, is itself specified to about
 * +-50 ppm, so a finer measurement against it buys nothing. Under QEMU with -icount a first window
 * of 644 us meets it (each end known within some 28 ns); a slower sampler (QEMU without -icount,
 * a PC's LPC bus) gets a window as long as its own error needs, up to 41 ms. */
#define TARGET_ERROR_PPM 50
#define FIRST_WINDOW_TICKS 768 /* 644 us */
#define LONGEST_WINDOW_TICKS 49152 /* 41 ms, inside the 16-bit count's 55 ms wrap */
/* After each window a short one checks it: a window spoiled in a way its brackets cannot show (a
 * sampling gap longer than the count's wrap) disagrees with it by far more than their errors. */
#define CHECK_WINDOW_TICKS 64 /* 54 us */
#define RUNS_MAX 6

static uint64_t tsc_hz;
static struct pit_window measured; /* the window tsc_hz comes from, for the report */
static bool unconfirmed;

static uint64_t hz_of(const struct pit_window *w)
{
	return w->tsc_ticks_x2 * PIT_FREQUENCY_HZ / (2u * w->pit_ticks);
}

static uint64_t error_hz_of(const struct pit_window *w)
{
	return (w->error_x2 * PIT_FREQUENCY_HZ + 2u * w->pit_ticks - 1) / (2u * w->pit_ticks);
}

static unsigned ppm_of(const struct pit_window *w)
{
	return (unsigned)((w->error_x2 * 1000000 + w->tsc_ticks_x2 - 1) / w->tsc_ticks_x2);
}

void x86_tsc_calibrate(void)
{
	struct pit_window best = { 0 }, last = { 0 };
	uint32_t ticks = FIRST_WINDOW_TICKS;
	for (int run = 0; run < RUNS_MAX; run++) {
		struct pit_window window, check;
		if (!x86_pit_measure_tsc((uint16_t)ticks, &window) || !x86_pit_measure_tsc(CHECK_WINDOW_TICKS, &check)) {
			/* Before the console: straight to COM1, then stop (no clock, no timers). */
			static const char message[] = "\nTessera: the PIT's channel 2 does not count: the TSC's rate "
						      "cannot be measured; stopping\n";
			x86_early_serial_write(message, sizeof(message) - 1);
			arch_cpu_halt();
		}
		last = window;
		uint64_t hz = hz_of(&window), check_hz = hz_of(&check);
		uint64_t apart = hz > check_hz ? hz - check_hz : check_hz - hz;
		if (apart > error_hz_of(&window) + error_hz_of(&check))
			continue; /* one of the two was disturbed: again, the same length */
		unsigned ppm = ppm_of(&window);
		if (best.pit_ticks == 0 || ppm < ppm_of(&best))
			best = window;
		if (ppm <= TARGET_ERROR_PPM)
			break;
		/* Long enough for this sampler's error, with a quarter to spare. */
		uint64_t longer = (uint64_t)ticks * ((ppm + TARGET_ERROR_PPM - 1) / TARGET_ERROR_PPM) * 5 / 4;
		ticks = longer > LONGEST_WINDOW_TICKS ? LONGEST_WINDOW_TICKS : (uint32_t)longer;
	}
	unconfirmed = best.pit_ticks == 0;
	if (unconfirmed)
		best = last; /* never confirmed: the last window is all there is (the report warns) */
	tsc_hz = hz_of(&best);
	measured = best;
}

void x86_tsc_report(void)
{
	log_info("TSC %lu.%06lu MHz, calibrated against the PIT (within %u ppm, over %lu us)", tsc_hz / 1000000,
		 tsc_hz % 1000000, ppm_of(&measured), (unsigned long)measured.pit_ticks * 1000000 / PIT_FREQUENCY_HZ);
	if (unconfirmed)
		log_warn("TSC: no window agreed with its check (the PIT's count jumped): the rate may be wrong");
}

uint64_t x86_tsc_frequency(void)
{
	return tsc_hz;
}

void x86_delay_us(uint64_t microseconds)
{
	uint64_t end = rdtsc() + microseconds * (tsc_hz / 1000000);
	while (rdtsc() < end)
		arch_cpu_relax();
}

uint64_t arch_timer_now(void)
{
	return rdtsc();
}

uint64_t arch_timer_frequency(void)
{
	return tsc_hz;
}
