/* SPDX-License-Identifier: Apache-2.0 */
/* The 8254 PIT's channel 2 as a stopwatch for calibration (Intel 8254 datasheet; PC port 61h).
 * Channel 2's gate is bit 0 of port 61h and its output reads back as bit 5, so it can be timed by
 * polling without interrupts or the speaker (bit 1 stays clear). Mode 0 ("interrupt on terminal
 * count"): the output goes low when the count is written and rises when it reaches zero. */
#include "arch_impl/io.h"
#include "arch_impl/msr.h"
#include "arch_impl/setup.h"

#define PIT_FREQUENCY_HZ 1193182u
#define PIT_CHANNEL2_DATA 0x42
#define PIT_COMMAND 0x43
#define PIT_SELECT_CHANNEL2 (2u << 6)
#define PIT_ACCESS_LOW_HIGH (3u << 4)
#define PIT_MODE0 (0u << 1)
#define PORT_SYSTEM_CONTROL_B 0x61
#define CONTROL_B_GATE2 0x01
#define CONTROL_B_SPEAKER 0x02
#define CONTROL_B_OUT2 0x20

uint64_t x86_pit_measure_tsc(unsigned microseconds)
{
	uint32_t count = (uint32_t)((uint64_t)PIT_FREQUENCY_HZ * microseconds / 1000000);
	if (count > 0xffff)
		count = 0xffff;
	if (count == 0)
		count = 1;

	uint8_t control = inb(PORT_SYSTEM_CONTROL_B) & ~(CONTROL_B_GATE2 | CONTROL_B_SPEAKER);
	outb(PORT_SYSTEM_CONTROL_B, control); /* gate low: the count waits */
	outb(PIT_COMMAND, PIT_SELECT_CHANNEL2 | PIT_ACCESS_LOW_HIGH | PIT_MODE0);
	outb(PIT_CHANNEL2_DATA, count & 0xff);
	outb(PIT_CHANNEL2_DATA, count >> 8);

	uint64_t start = rdtsc();
	outb(PORT_SYSTEM_CONTROL_B, control | CONTROL_B_GATE2); /* gate high: counting starts */
	while (!(inb(PORT_SYSTEM_CONTROL_B) & CONTROL_B_OUT2))
		;
	uint64_t elapsed = rdtsc() - start;
	outb(PORT_SYSTEM_CONTROL_B, control);
	return elapsed;
}
