/* SPDX-License-Identifier: Apache-2.0 */
/* The Intel 8254 programmable interval timer as a pure state machine (Intel 8254 datasheet,
 * order number 231164: "Control Word Format", "Read Operations", "Read-Back Command", "Modes"):
 * three 16-bit down-counters on a common clock, each with its mode (0-5), access mode (LSB, MSB,
 * LSB then MSB), binary or BCD counting, counter latch, status latch and read-back. Time is the
 * caller's: every call takes 'now' in counter clock ticks (1.193182 MHz on a PC), and the model
 * computes counts and outputs from the tick at which each count was loaded instead of counting
 * clock by clock, so nothing has to run between accesses. It allocates nothing, takes no lock and
 * knows no VM (x86_pit.c puts it on a VM's ports and turns channel 0's output into IRQ 0); it is
 * built on the host for unit tests too.
 *
 * Simplifications, all invisible to software that follows the datasheet: a count is loaded on the
 * tick it is written, not on the next clock edge (so NULL COUNT in the status clears at once), and
 * a channel whose count was never written reads 0 with its output as the control word set it. */
#ifndef VDEV_I8254_H
#define VDEV_I8254_H

#include <stdbool.h>
#include <stdint.h>

#define I8254_FREQUENCY_HZ 1193182u
#define I8254_CHANNELS 3

/* Control word fields (datasheet figure "Control Word Format"). */
#define I8254_ACCESS_LATCH 0   /* RW = 00: counter latch command */
#define I8254_ACCESS_LSB 1
#define I8254_ACCESS_MSB 2
#define I8254_ACCESS_WORD 3    /* LSB first, then MSB */

struct i8254_channel {
	uint8_t mode;          /* 0-5 (control word values 6 and 7 are modes 2 and 3) */
	uint8_t access;        /* I8254_ACCESS_LSB/MSB/WORD */
	bool bcd;
	bool gate;             /* the GATE input: tied high for channels 0 and 1 on a PC */
	bool loaded;           /* a count has been written since the control word */
	bool running;          /* counting: loaded and, for modes 1 and 5, triggered by GATE */
	bool null_count;       /* control word written, count not yet loaded (status bit 6) */
	bool output_low_idle;  /* OUT while not running: low after a mode 0 control word */
	uint32_t initial;      /* the count N in clock ticks (1..65536, or ..10000 in BCD) */
	uint64_t start;        /* tick at which the current count was loaded or triggered */
	uint64_t frozen;       /* ticks counted before GATE stopped a mode 0/4 count */
	/* A count written in mode 2 or 3 while counting takes over at the end of the period (at
	 * reload_at); in mode 1 or 5, at the next trigger. */
	bool reload_pending;
	uint32_t reload;
	uint64_t reload_at;
	/* Writes: the LSB of a two-byte count waits for its MSB. */
	bool write_msb_next;
	uint8_t write_lsb;
	/* Reads: the LSB/MSB flip-flop, the counter latch and the status latch. */
	bool read_msb_next;
	bool count_latched;
	uint16_t latch;
	bool status_latched;
	uint8_t status;
};

struct i8254 {
	struct i8254_channel channels[I8254_CHANNELS];
};

/* Power-on: no count written (NULL COUNT set, OUT high, mode 0, LSB then MSB), GATE high on
 * channels 0 and 1, low on 2. */
void i8254_init(struct i8254 *pit);
/* A byte written to port 0x40 + port (0-2: a channel's count, 3: the control word). */
void i8254_write(struct i8254 *pit, unsigned port, uint8_t value, uint64_t now);
/* A byte read from port 0x40 + port (0-2; the control word register reads 0xff). */
uint8_t i8254_read(struct i8254 *pit, unsigned port, uint64_t now);
void i8254_set_gate(struct i8254 *pit, unsigned channel, bool level, uint64_t now);
bool i8254_output(struct i8254 *pit, unsigned channel, uint64_t now);
/* The count as the counting element holds it now (what a latch would capture), in binary. */
uint32_t i8254_count(struct i8254 *pit, unsigned channel, uint64_t now);
/* The first tick after 'now' at which the channel's OUT rises (where an edge-triggered interrupt
 * happens), or UINT64_MAX when none will without another access. */
uint64_t i8254_next_rising_edge(struct i8254 *pit, unsigned channel, uint64_t now);

#endif
