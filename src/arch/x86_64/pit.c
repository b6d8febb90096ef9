/* SPDX-License-Identifier: Apache-2.0 */
/* The 8254 PIT's channel 2 as a reference for measuring the TSC (Intel 8254 datasheet; PC port
 * 61h). Its gate is bit 0 of port 61h (bit 1, the speaker, stays clear), so it counts without
 * interrupts. Mode 0 with a count of 0 (65 536): the counter runs down and keeps running past zero,
 * wrapping, so it is a free-running 16-bit clock at 1.193182 MHz while the gate is high.
 *
 * Its count changes at an instant the TSC can bracket closely: each sample latches the count
 * (a Counter Latch command, which freezes the value until it is read) between two TSC reads, and
 * the instant the count changed lies between the last sample that saw the old value and the first
 * that saw the new. So a window's error is the time of one sample at each end (tens of
 * nanoseconds under QEMU, a few microseconds on a PC's LPC bus), not the 838 ns of a PIT tick,
 * and the caller can see how good a window was. */
#include "arch_impl/io.h"
#include "arch_impl/msr.h"
#include "arch_impl/setup.h"

#define PIT_CHANNEL2_DATA 0x42
#define PIT_COMMAND 0x43
#define PIT_SELECT_CHANNEL2 (2u << 6)
#define PIT_ACCESS_LATCH (0u << 4)
#define PIT_ACCESS_LOW_HIGH (3u << 4)
#define PIT_MODE0 (0u << 1)
#define PORT_SYSTEM_CONTROL_B 0x61
#define CONTROL_B_GATE2 0x01
#define CONTROL_B_SPEAKER 0x02

/* Samples the count, latched at an instant in [*before, *after]. Inlined: the loop around it is
 * the bracket, and every instruction in it widens the bracket. */
static inline __attribute__((always_inline)) uint16_t sample(uint64_t *before, uint64_t *after)
{
	*before = rdtsc();
	outb(PIT_COMMAND, PIT_SELECT_CHANNEL2 | PIT_ACCESS_LATCH);
	*after = rdtsc();
	uint8_t low = inb(PIT_CHANNEL2_DATA);
	return (uint16_t)(low | inb(PIT_CHANNEL2_DATA) << 8);
}

/* A count that has not changed after this many samples (a second or more: a tick lasts 838 ns)
 * never will: no PIT, or its clock gated off. */
#define SAMPLES_MAX 1000000u

/* Samples until the count changes; the new count, taken in [*earliest, *latest], is in *now.
 * Returns false if it does not change. */
static inline __attribute__((always_inline)) bool next_change(uint16_t *now, uint64_t *earliest, uint64_t *latest)
{
	uint64_t before, after;
	uint16_t old = sample(&before, &after);
	for (unsigned n = 0; n < SAMPLES_MAX; n++) {
		*earliest = before;
		*now = sample(&before, &after);
		if (*now != old) {
			*latest = after;
			return true;
		}
	}
	return false;
}

bool x86_pit_measure_tsc(uint16_t pit_ticks, struct pit_window *w)
{
	uint8_t control = inb(PORT_SYSTEM_CONTROL_B) & ~(CONTROL_B_GATE2 | CONTROL_B_SPEAKER);
	outb(PORT_SYSTEM_CONTROL_B, control); /* gate low: the count waits */
	outb(PIT_COMMAND, PIT_SELECT_CHANNEL2 | PIT_ACCESS_LOW_HIGH | PIT_MODE0);
	outb(PIT_CHANNEL2_DATA, 0);
	outb(PIT_CHANNEL2_DATA, 0);
	outb(PORT_SYSTEM_CONTROL_B, control | CONTROL_B_GATE2); /* gate high: counting starts */

	uint64_t start_earliest, start_latest, end_earliest = 0, end_latest = 0;
	uint16_t start, end = 0, elapsed = 0;
	bool counting = next_change(&start, &start_earliest, &start_latest);
	/* Counting ticks between two changes of the count: a gap in the sampling (an SMI, a
	 * descheduled host thread) loses no tick unless it is longer than the 16-bit wrap, 55 ms. */
	while (counting && elapsed < pit_ticks) {
		counting = next_change(&end, &end_earliest, &end_latest);
		elapsed = (uint16_t)(start - end);
	}
	outb(PORT_SYSTEM_CONTROL_B, control);
	if (!counting)
		return false;

	w->pit_ticks = elapsed;
	/* Each end taken at the middle of its bracket: twice the TSC ticks, and twice the error. */
	w->tsc_ticks_x2 = (end_earliest + end_latest) - (start_earliest + start_latest);
	w->error_x2 = (start_latest - start_earliest) + (end_latest - end_earliest);
	return true;
}
