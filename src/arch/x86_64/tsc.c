/* SPDX-License-Identifier: Apache-2.0 */
/* The time-stamp counter is the hypervisor's clock (arch_timer_now). Its rate is measured once at
 * boot against the PIT, whose 1.193182 MHz is fixed on every PC, because QEMU (host TSC rate) and
 * real CPUs differ and AMD CPUs report no TSC frequency in CPUID. It is one clock for all CPUs: all
 * start from the same reset and Tessera never writes the TSC; an invariant TSC (CPUID
 * 8000_0007h EDX[8], AMD APM vol. 3, E.4.7) also keeps its rate across power states. */
#include "arch_impl/msr.h"
#include "arch_impl/setup.h"
#include "arch/cpu.h"
#include "arch/timer.h"

#define CALIBRATION_US 10000
#define CALIBRATION_RUNS_MAX 3
/* Two runs within this many parts per million of each other: the shorter is taken, with no third
 * (each run is 10 ms of every boot; a third is for when one run was stretched, by an SMI on a real
 * machine or a descheduled host thread under emulation). */
#define CALIBRATION_AGREE_PPM 20

static uint64_t tsc_hz;

void x86_tsc_calibrate(void)
{
	/* The shortest of a few runs: polling can only make a run look longer than it was. */
	uint64_t best = UINT64_MAX, previous = 0;
	for (int i = 0; i < CALIBRATION_RUNS_MAX; i++) {
		uint64_t ticks = x86_pit_measure_tsc(CALIBRATION_US);
		if (ticks < best)
			best = ticks;
		uint64_t apart = ticks > previous ? ticks - previous : previous - ticks;
		if (i > 0 && apart * 1000000 <= best * CALIBRATION_AGREE_PPM)
			break;
		previous = ticks;
	}
	tsc_hz = best * (1000000 / CALIBRATION_US);
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
