/* SPDX-License-Identifier: Apache-2.0 */
/* The 8254 PIT's counters (see vdev/i8254.h). Every channel keeps the count N it was loaded with
 * and the tick it started; its count and OUT at any tick follow from the mode's timing diagram
 * (Intel 8254 datasheet, "Mode 0" to "Mode 5"), with e = clock ticks counted since the load:
 *   mode 0 (interrupt on terminal count): count N - e, wrapping; OUT low until e = N, then high.
 *   mode 1 (hardware one-shot): as mode 0, started by a rising GATE; OUT high until triggered.
 *   mode 2 (rate generator): count N - (e mod N); OUT low for the one tick at count 1.
 *   mode 3 (square wave): OUT high for ceil(N/2) ticks, low for floor(N/2); the count drops by 2
 *     each tick within a half (an odd N loses 1 on the first tick of the high half, 3 on the first
 *     of the low half).
 *   mode 4 (software strobe), mode 5 (hardware strobe): count N - e; OUT low for the one tick
 *     at e = N.
 * GATE low pauses modes 0 and 4, stops modes 2 and 3 (OUT high; a rising GATE reloads), and its
 * rising edge triggers modes 1 and 5. A count of 0 stands for 65536 (10000 in BCD). */
#include "vdev/i8254.h"

#define NEVER UINT64_MAX

static uint32_t modulus(const struct i8254_channel *c)
{
	return c->bcd ? 10000u : 65536u;
}

static uint16_t to_bcd(uint32_t v)
{
	return (uint16_t)((v % 10) | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 | (v / 1000 % 10) << 12);
}

static uint32_t from_bcd(uint16_t v)
{
	return (v & 0xf) + ((v >> 4) & 0xf) * 10 + ((v >> 8) & 0xf) * 100 + ((v >> 12) & 0xf) * 1000;
}

static bool gate_pauses(unsigned mode) { return mode == 0 || mode == 4; }
static bool gate_triggers(unsigned mode) { return mode == 1 || mode == 5; }
static bool periodic(unsigned mode) { return mode == 2 || mode == 3; }

/* A rate generator or square wave of one tick has no low (or high) phase: the datasheet calls a
 * count of 1 illegal in these modes. It runs as a count of 2. */
static uint32_t period(const struct i8254_channel *c)
{
	return periodic(c->mode) && c->initial < 2 ? 2 : c->initial;
}

/* A reload waiting for the end of a period (modes 2, 3) takes over once that tick has come. */
static void settle(struct i8254_channel *c, uint64_t now)
{
	if (c->reload_pending && c->running && periodic(c->mode) && now >= c->reload_at) {
		c->initial = c->reload;
		c->start = c->reload_at;
		c->frozen = 0;
		c->reload_pending = false;
	}
}

static uint64_t elapsed(const struct i8254_channel *c, uint64_t now)
{
	return c->frozen + (c->running && now > c->start ? now - c->start : 0);
}

static uint32_t count_of(const struct i8254_channel *c, uint64_t now)
{
	if (!c->loaded)
		return 0;
	uint32_t m = modulus(c);
	if (gate_triggers(c->mode) && !c->running && !c->frozen)
		return c->initial % m; /* armed, waiting for its trigger */
	uint64_t e = elapsed(c, now);
	uint32_t n = period(c);
	switch (c->mode) {
	case 2:
		return (uint32_t)(n - e % n) % m;
	case 3: {
		uint64_t p = e % n;
		uint32_t high = (n + 1) / 2;
		bool in_high = p < high;
		uint64_t k = in_high ? p : p - high; /* ticks into this half */
		if (k == 0)
			return n % m;
		/* Even N: N - 2k. Odd N: N + 1 - 2k in the high half, N - 1 - 2k in the low half. */
		uint32_t v = (n & 1) ? (in_high ? n + 1 : n - 1) : n;
		return (uint32_t)(v - 2 * k) % m;
	}
	default:
		return (uint32_t)((n + m - e % m) % m);
	}
}

static bool output_of(const struct i8254_channel *c, uint64_t now)
{
	if (!c->loaded)
		return !c->output_low_idle;
	uint64_t e = elapsed(c, now);
	uint32_t n = period(c);
	switch (c->mode) {
	case 0:
		return e >= n;
	case 1:
		if (!c->running && !c->frozen)
			return true;
		return e >= n;
	case 2:
		return !c->running || e % n != n - 1;
	case 3:
		return !c->running || e % n < (n + 1) / 2;
	default: /* 4, 5 */
		if (c->mode == 5 && !c->running && !c->frozen)
			return true;
		return e != n;
	}
}

void i8254_init(struct i8254 *pit)
{
	for (unsigned i = 0; i < I8254_CHANNELS; i++)
		pit->channels[i] = (struct i8254_channel){ .access = I8254_ACCESS_WORD, .gate = i != 2, .null_count = true };
}

static void load(struct i8254_channel *c, uint16_t raw, uint64_t now)
{
	uint32_t n = raw == 0 ? modulus(c) : c->bcd ? from_bcd(raw) : raw;
	if (n == 0)
		n = modulus(c); /* BCD digits all zero */
	settle(c, now);
	if (c->loaded && c->running && periodic(c->mode)) {
		/* Modes 2 and 3: the current period ends first (datasheet: "a new count ... is loaded at
		 * the end of the current counting cycle"). */
		uint64_t e = elapsed(c, now);
		uint32_t p = period(c);
		c->reload = n;
		c->reload_at = now + (p - e % p);
		c->reload_pending = true;
		return;
	}
	if (c->loaded && gate_triggers(c->mode) && (c->running || c->frozen)) {
		c->reload = n; /* modes 1 and 5: for the next trigger */
		c->reload_pending = true;
		return;
	}
	c->initial = n;
	c->loaded = true;
	c->null_count = false;
	c->reload_pending = false;
	c->frozen = 0;
	c->start = now;
	c->running = gate_triggers(c->mode) ? false : c->gate;
}

static void write_count(struct i8254_channel *c, uint8_t value, uint64_t now)
{
	switch (c->access) {
	case I8254_ACCESS_LSB:
		load(c, value, now);
		break;
	case I8254_ACCESS_MSB:
		load(c, (uint16_t)(value << 8), now);
		break;
	default:
		if (!c->write_msb_next) {
			c->write_lsb = value;
			c->write_msb_next = true;
			/* Mode 0: the first byte stops the count and drives OUT low at once. */
			if (c->mode == 0 && c->loaded) {
				c->loaded = false;
				c->running = false;
				c->output_low_idle = true;
			}
		} else {
			c->write_msb_next = false;
			load(c, (uint16_t)(c->write_lsb | value << 8), now);
		}
		break;
	}
}

static uint16_t readable(const struct i8254_channel *c, uint64_t now)
{
	uint32_t count = count_of(c, now);
	return c->bcd ? to_bcd(count) : (uint16_t)count;
}

static void latch_count(struct i8254_channel *c, uint64_t now)
{
	if (c->count_latched)
		return; /* a second latch before the first is read is ignored */
	c->latch = readable(c, now);
	c->count_latched = true;
}

static void latch_status(struct i8254_channel *c, uint64_t now)
{
	if (c->status_latched)
		return;
	c->status = (uint8_t)((output_of(c, now) ? 0x80 : 0) | (c->null_count ? 0x40 : 0) | c->access << 4 |
			      c->mode << 1 | (c->bcd ? 1 : 0));
	c->status_latched = true;
}

static void write_control(struct i8254 *pit, uint8_t value, uint64_t now)
{
	unsigned select = value >> 6;
	if (select == 3) {
		/* Read-back (datasheet "Read-Back Command"): bit 5 clear latches the counts, bit 4 clear
		 * the status, of the channels whose bits 1-3 are set. */
		for (unsigned i = 0; i < I8254_CHANNELS; i++) {
			if (!(value & (2u << i)))
				continue;
			struct i8254_channel *c = &pit->channels[i];
			settle(c, now);
			if (!(value & 0x10))
				latch_status(c, now);
			if (!(value & 0x20))
				latch_count(c, now);
		}
		return;
	}
	struct i8254_channel *c = &pit->channels[select];
	unsigned access = (value >> 4) & 3;
	settle(c, now);
	if (access == I8254_ACCESS_LATCH) {
		latch_count(c, now);
		return;
	}
	/* A control word resets the channel's logic; OUT goes low in mode 0, high in the others. */
	unsigned mode = (value >> 1) & 7;
	c->mode = (uint8_t)(mode > 5 ? mode - 4 : mode);
	c->access = (uint8_t)access;
	c->bcd = value & 1;
	c->loaded = false;
	c->running = false;
	c->frozen = 0;
	c->null_count = true;
	c->output_low_idle = c->mode == 0;
	c->reload_pending = false;
	c->write_msb_next = false;
	c->read_msb_next = false;
	c->count_latched = false;
	c->status_latched = false;
}

void i8254_write(struct i8254 *pit, unsigned port, uint8_t value, uint64_t now)
{
	if (port == 3)
		write_control(pit, value, now);
	else if (port < I8254_CHANNELS)
		write_count(&pit->channels[port], value, now);
}

uint8_t i8254_read(struct i8254 *pit, unsigned port, uint64_t now)
{
	if (port >= I8254_CHANNELS)
		return 0xff; /* the control word register cannot be read */
	struct i8254_channel *c = &pit->channels[port];
	settle(c, now);
	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	uint16_t value = c->count_latched ? c->latch : readable(c, now);
	bool msb;
	switch (c->access) {
	case I8254_ACCESS_LSB:
		msb = false;
		c->count_latched = false;
		break;
	case I8254_ACCESS_MSB:
		msb = true;
		c->count_latched = false;
		break;
	default:
		msb = c->read_msb_next;
		c->read_msb_next = !msb;
		if (msb)
			c->count_latched = false; /* both bytes read: the latch lets go */
		break;
	}
	return (uint8_t)(msb ? value >> 8 : value);
}

/* A gate trigger (8254 datasheet, "Gate"): a count written since the last one takes effect, and the
 * counter starts again from the initial count. */
static void trigger(struct i8254_channel *c, uint64_t now)
{
	if (c->reload_pending) {
		c->initial = c->reload;
		c->reload_pending = false;
	}
	c->frozen = 0;
	c->start = now;
	c->running = true;
}

void i8254_set_gate(struct i8254 *pit, unsigned channel, bool level, uint64_t now)
{
	struct i8254_channel *c = &pit->channels[channel];
	settle(c, now);
	bool rising = level && !c->gate;
	bool falling = !level && c->gate;
	c->gate = level;
	if (!c->loaded)
		return;
	if (gate_pauses(c->mode) || periodic(c->mode)) {
		if (falling && c->running) {
			c->frozen = elapsed(c, now);
			c->running = false;
		}
		if (rising && periodic(c->mode)) {
			trigger(c, now); /* a trigger reloads the initial count */
		} else if (rising) { /* modes 0 and 4 resume where the gate paused them */
			c->start = now;
			c->running = true;
		}
	} else if (rising) { /* modes 1 and 5: (re)triggered */
		trigger(c, now);
	}
}

bool i8254_output(struct i8254 *pit, unsigned channel, uint64_t now)
{
	struct i8254_channel *c = &pit->channels[channel];
	settle(c, now);
	return output_of(c, now);
}

uint32_t i8254_count(struct i8254 *pit, unsigned channel, uint64_t now)
{
	struct i8254_channel *c = &pit->channels[channel];
	settle(c, now);
	return count_of(c, now);
}

uint64_t i8254_next_rising_edge(struct i8254 *pit, unsigned channel, uint64_t now)
{
	struct i8254_channel *c = &pit->channels[channel];
	settle(c, now);
	if (!c->loaded || !c->running)
		return NEVER;
	uint64_t e = elapsed(c, now);
	uint32_t n = period(c);
	switch (c->mode) {
	case 0:
	case 1:
		return e < n ? now + (n - e) : NEVER;
	case 2:
	case 3:
		return now + (n - e % n); /* OUT rises as each period starts again */
	default: /* 4, 5: the strobe ends one tick after the count reaches 0 */
		return e < (uint64_t)n + 1 ? now + (n + 1 - e) : NEVER;
	}
}
