/* SPDX-License-Identifier: Apache-2.0 */
/* Each CPU's one-shot timer is its local APIC timer (AMD APM vol. 2, 16.4; Intel SDM vol. 3,
 * 10.5.4), raising VECTOR_TIMER. Deadlines are absolute TSC values (tsc.c). If CPUID.01h:ECX[24]
 * offers TSC-deadline mode the deadline goes straight to MSR 6E0h; otherwise (AMD CPUs, QEMU's
 * EPYC) the timer counts down in one-shot mode, undivided, and the TSC distance is converted with
 * the LAPIC rate measured once against the TSC, rounded up. A deadline beyond the 32-bit counter
 * (4.3 s at QEMU's 1 GHz bus) fires early; the kernel then finds nothing due and re-arms, so only
 * the range is limited, never correctness. Undivided and rounded up because a timer that fires
 * before its deadline costs a second interrupt, and one that fires late delays a guest's timer:
 * divided by 16 it fired up to 16 ticks late on QEMU (which ends a count of n after n + 1 ticks)
 * and, rounded down, would fire early on hardware that ends it after n. */
#include "arch_impl/lapic.h"
#include "arch_impl/msr.h"
#include "arch_impl/setup.h"
#include "arch_impl/vectors.h"
#include "arch/timer.h"
#include "kernel/log.h"

#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
/* 1 ms: some 1 000 000 ticks of a 1 GHz bus, a rate within 1e-6 (a deadline a second away 1 us
 * off, and deadlines are re-armed from the TSC each time). 10 ms cost 10 million instructions of
 * every boot under QEMU. */
#define CALIBRATION_US 1000

static bool mode_chosen; /* by the first CPU to get here, the boot CPU */
static bool use_tsc_deadline;
static uint64_t lapic_hz;
/* LAPIC ticks per TSC tick, as a 32.32 fixed-point factor. */
static uint64_t lapic_per_tsc;

static void lapic_timer_calibrate(void)
{
	lapic_write(LAPIC_TIMER_DIVIDE, LAPIC_TIMER_DIVIDE_BY_1);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | VECTOR_TIMER);
	uint64_t start = rdtsc();
	lapic_write(LAPIC_TIMER_INITIAL, 0xffffffffu);
	x86_delay_us(CALIBRATION_US);
	uint32_t counted = 0xffffffffu - lapic_read(LAPIC_TIMER_CURRENT);
	uint64_t tsc_elapsed = rdtsc() - start;
	lapic_write(LAPIC_TIMER_INITIAL, 0);
	lapic_hz = (uint64_t)counted * x86_tsc_frequency() / tsc_elapsed;
	lapic_per_tsc = ((uint64_t)counted << 32) / tsc_elapsed;
}

void arch_timer_init_cpu(void)
{
	if (!mode_chosen) {
		mode_chosen = true;
		use_tsc_deadline = (cpuid(1, 0).ecx & CPUID_1_ECX_TSC_DEADLINE) != 0;
		if (use_tsc_deadline) {
			log_info("timer: local APIC in TSC-deadline mode");
		} else {
			lapic_timer_calibrate();
			log_info("timer: local APIC one-shot at %lu kHz (undivided), calibrated against the TSC",
				 lapic_hz / 1000);
		}
	}
	if (use_tsc_deadline) {
		lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_TSC_DEADLINE | VECTOR_TIMER);
		wrmsr(MSR_TSC_DEADLINE, 0);
	} else {
		lapic_write(LAPIC_TIMER_DIVIDE, LAPIC_TIMER_DIVIDE_BY_1);
		lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_ONE_SHOT | VECTOR_TIMER);
		lapic_write(LAPIC_TIMER_INITIAL, 0);
	}
}

void arch_timer_set_deadline(uint64_t ticks)
{
	if (use_tsc_deadline) {
		/* Writing 0 would disarm; a past deadline fires at once (SDM vol. 3, 10.5.4.1). */
		wrmsr(MSR_TSC_DEADLINE, ticks ? ticks : 1);
		return;
	}
	uint64_t now = rdtsc();
	uint64_t count = 1;
	if (ticks > now) {
		count = (uint64_t)(((unsigned __int128)(ticks - now) * lapic_per_tsc + 0xffffffffu) >> 32);
		if (count > 0xffffffffu)
			count = 0xffffffffu;
	}
	lapic_write(LAPIC_TIMER_INITIAL, (uint32_t)count);
}

void arch_timer_stop(void)
{
	if (use_tsc_deadline)
		wrmsr(MSR_TSC_DEADLINE, 0);
	else
		lapic_write(LAPIC_TIMER_INITIAL, 0);
}
