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
#define CALIBRATION_RUNS 3

static uint64_t tsc_hz;

void x86_tsc_calibrate(void)
{
	/* The shortest of a few runs: polling can only make a run look longer than it was. */
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < CALIBRATION_RUNS; i++) {
		uint64_t ticks = x86_pit_measure_tsc(CALIBRATION_US);
		if (ticks < best)
			best = ticks;
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
