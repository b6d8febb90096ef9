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
#include "arch/cpu.h"
#include "arch/timer.h"
#include "kernel/log.h"
#include "kernel/panic.h"

#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
/* The LAPIC's rate against the TSC, taken at the top of what a measurement allows, so that a timer
 * never fires early (which would cost a second interrupt) and fires late by at most that
 * measurement's error (deadlines are re-armed from the TSC each time, so it never adds up). The
 * boot CPU starts the count as soon as its LAPIC is set up and reads it when its timer is set up,
 * after the TSC's calibration, each access between two TSC reads: the boot's work in between is
 * the window, which costs no wait of its own under QEMU with -icount (each end is known within a
 * few nanoseconds: some 3 ppm over 1 ms). Where an access can be slow (QEMU without -icount, whose
 * LAPIC may wait for a lock its main loop holds) it reads again until the error is within
 * LAPIC_ERROR_PPM, at most 100 ns late for a timer 1 ms away; a window that grows past
 * LAPIC_WINDOW_MAX_US without getting there had a stretched start, and starts again. */
#define LAPIC_ERROR_PPM 100
#define LAPIC_WINDOW_MAX_US 10000
#define LAPIC_RESTARTS 3
#define LAPIC_GIVE_UP_MS 1000
#define COUNT_FROM 0xffffffffu

static bool mode_chosen; /* by the first CPU to get here, the boot CPU */
static bool use_tsc_deadline;
static uint64_t lapic_hz;
/* LAPIC ticks per TSC tick, as a 32.32 fixed-point factor. */
static uint64_t lapic_per_tsc;
static uint64_t count_started_before, count_started_after;
static unsigned lapic_error_ppm;

void x86_lapic_timer_start_count(void)
{
	lapic_write(LAPIC_TIMER_DIVIDE, LAPIC_TIMER_DIVIDE_BY_1);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | VECTOR_TIMER);
	count_started_before = rdtsc();
	lapic_write(LAPIC_TIMER_INITIAL, COUNT_FROM);
	count_started_after = rdtsc();
}

static void lapic_timer_calibrate(void)
{
	uint64_t window_max_x2 = 2 * LAPIC_WINDOW_MAX_US * (x86_tsc_frequency() / 1000000);
	/* A count that never moves would hold the boot here for ever: a clear stop instead. */
	uint64_t give_up = rdtsc() + LAPIC_GIVE_UP_MS * (x86_tsc_frequency() / 1000);
	unsigned restarts = 0;
	for (;;) {
		if (rdtsc() > give_up)
			panic("the local APIC timer does not count (its current count stays at %#x)",
			      lapic_read(LAPIC_TIMER_CURRENT));
		uint64_t before = rdtsc();
		uint32_t current = lapic_read(LAPIC_TIMER_CURRENT);
		uint64_t after = rdtsc();
		uint64_t counted = COUNT_FROM - current;
		uint64_t tsc_x2 = (before + after) - (count_started_before + count_started_after);
		/* Both accesses' brackets, and a LAPIC tick's worth for the count's own granularity. */
		uint64_t error_x2 = (after - before) + (count_started_after - count_started_before) +
				    2 * (tsc_x2 / (2 * counted + 1) + 1);
		bool precise = error_x2 * 1000000 <= tsc_x2 * LAPIC_ERROR_PPM;
		if (current == 0 || (!precise && tsc_x2 > window_max_x2 && restarts < LAPIC_RESTARTS)) {
			/* ran out (4.3 s at QEMU's 1 GHz), or a start too stretched to ever be precise */
			restarts++;
			x86_lapic_timer_start_count();
			continue;
		}
		if (counted == 0 || error_x2 + 2 >= tsc_x2 || (!precise && tsc_x2 <= window_max_x2)) {
			arch_cpu_relax(); /* a later read has a longer window */
			continue;
		}
		lapic_write(LAPIC_TIMER_INITIAL, 0);
		/* The highest rate the window allows: a count converted from a TSC distance is never short. */
		uint64_t tsc_shortest = (tsc_x2 - error_x2) / 2;
		lapic_per_tsc = (counted << 32) / tsc_shortest;
		lapic_hz = (uint64_t)(((unsigned __int128)lapic_per_tsc * x86_tsc_frequency()) >> 32);
		lapic_error_ppm = (unsigned)(error_x2 * 1000000 / tsc_x2);
		return;
	}
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
			log_info("timer: local APIC one-shot at %lu kHz (undivided), calibrated against the TSC "
				 "(within %u ppm)", lapic_hz / 1000, lapic_error_ppm);
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
	if (!mode_chosen)
		return; /* the count running is the calibration's, with the timer masked */
	if (use_tsc_deadline)
		wrmsr(MSR_TSC_DEADLINE, 0);
	else
		lapic_write(LAPIC_TIMER_INITIAL, 0);
}
