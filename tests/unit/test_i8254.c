/* SPDX-License-Identifier: Apache-2.0 */
/* The 8254 PIT model (src/vdev/i8254.c) against the datasheet's timing: counts and OUT in modes 0,
 * 2 and 3 (and the strobes), the counter latch, the access modes, read-back, GATE, a count of 0,
 * BCD, and a new count in mode 2 taking over at the end of the period. Time is in PIT ticks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vdev/i8254.h"

#define CONTROL 3
/* Control words: channel << 6 | access << 4 | mode << 1 | bcd. */
#define CW(channel, access, mode) ((uint8_t)((channel) << 6 | (access) << 4 | (mode) << 1))

static void load_word(struct i8254 *pit, unsigned channel, uint16_t count, uint64_t now)
{
	i8254_write(pit, channel, (uint8_t)count, now);
	i8254_write(pit, channel, (uint8_t)(count >> 8), now);
}

/* Reads a lo/hi channel's count (the live count, or a latched one) at 'now'. */
static uint16_t read_word(struct i8254 *pit, unsigned channel, uint64_t now)
{
	uint8_t lo = i8254_read(pit, channel, now);
	return (uint16_t)(lo | i8254_read(pit, channel, now) << 8);
}

static uint16_t latched_count(struct i8254 *pit, unsigned channel, uint64_t now)
{
	i8254_write(pit, CONTROL, CW(channel, I8254_ACCESS_LATCH, 0), now);
	return read_word(pit, channel, now);
}

static void test_mode0_counts_down_and_raises_out_at_terminal_count(void **state)
{
	(void)state;
	struct i8254 pit;
	i8254_init(&pit);
	i8254_write(&pit, CONTROL, CW(0, I8254_ACCESS_WORD, 0), 10);
	assert_false(i8254_output(&pit, 0, 10)); /* mode 0: OUT low from the control word */
	load_word(&pit, 0, 1000, 100);
	assert_int_equal(read_word(&pit, 0, 100), 1000);
	assert_int_equal(latched_count(&pit, 0, 600), 500);
	assert_int_equal(latched_count(&pit, 0, 1099), 1);
	assert_false(i8254_output(&pit, 0, 1099));
	assert_true(i8254_output(&pit, 0, 1100));
	assert_int_equal(latched_count(&pit, 0, 1100), 0);
	assert_int_equal(latched_count(&pit, 0, 1101), 0xffff); /* it keeps counting, wrapping */
	assert_true(i8254_output(&pit, 0, 5000));                /* and OUT stays high */
	assert_int_equal(i8254_next_rising_edge(&pit, 0, 100), 1100);
	assert_int_equal(i8254_next_rising_edge(&pit, 0, 1099), 1100);
	assert_int_equal(i8254_next_rising_edge(&pit, 0, 1100), UINT64_MAX);
	/* A new count restarts it: OUT low again until the new terminal count. */
	load_word(&pit, 0, 10, 2000);
	assert_false(i8254_output(&pit, 0, 2009));
	assert_true(i8254_output(&pit, 0, 2010));
}

static void test_mode0_first_byte_stops_the_count(void **state)
{
	(void)state;
	struct i8254 pit;
	i8254_init(&pit);
	i8254_write(&pit, CONTROL, CW(0, I8254_ACCESS_WORD, 0), 0);
	load_word(&pit, 0, 10, 0);
	assert_true(i8254_output(&pit, 0, 20));
	i8254_write(&pit, 0, 0x34, 30); /* LSB only so far: OUT low, nothing counts */
	assert_false(i8254_output(&pit, 0, 100));
	assert_int_equal(i8254_next_rising_edge(&pit, 0, 100), UINT64_MAX);
	i8254_write(&pit, 0, 0x12, 200);
	assert_int_equal(latched_count(&pit, 0, 200), 0x1234);
	assert_int_equal(i8254_next_rising_edge(&pit, 0, 200), 200 + 0x1234);
}

static void test_latch_holds_until_read_and_ignores_a_second_latch(void **state)
{
	(void)state;
	struct i8254 pit;
	i8254_init(&pit);
	i8254_write(&pit, CONTROL, CW(0, I8254_ACCESS_WORD, 0), 0);
	load_word(&pit, 0, 5000, 0);
	i8254_write(&pit, CONTROL, CW(0, I8254_ACCESS_LATCH, 0), 1000); /* 4000 */
	i8254_write(&pit, CONTROL, CW(0, I8254_ACCESS_LATCH, 0), 2000); /* ignored: not read yet */
	uint8_t lo = i8254_read(&pit, 0, 3000);
	uint8_t hi = i8254_read(&pit, 0, 3500);
	assert_int_equal(lo | hi << 8, 4000);
	/* Read out, the latch lets go: the next reads see the live count. */
	assert_int_equal(read_word(&pit, 0, 4000), 1000);
	/* Without a latch, the two bytes come from the count at each read. */
	lo = i8254_read(&pit, 0, 4001);  /* 999 = 0x03e7 */
	hi = i8254_read(&pit, 0, 4800);  /* 200 = 0x00c8 */
	assert_int_equal(lo, 0xe7);
	assert_int_equal(hi, 0x00);
}

static void test_lsb_only_and_msb_only_access(void **state)
{
	(void)state;
	struct i8254 pit;
	i8254_init(&pit);
	i8254_write(&pit, CONTROL, CW(1, I8254_ACCESS_LSB, 0), 0);
	i8254_write(&pit, 1, 0x80, 0); /* N = 0x0080: the MSB is 0 */
	assert_int_equal(i8254_read(&pit, 1, 0x10), 0x70);
	assert_int_equal(i8254_read(&pit, 1, 0x20), 0x60); /* every read is an LSB */
	assert_int_equal(i8254_next_rising_edge(&pit, 1, 0x20), 0x80);
	i8254_write(&pit, CONTROL, CW(1, I8254_ACCESS_MSB, 0), 0x100);
	i8254_write(&pit, 1, 0x12, 0x100); /* N = 0x1200: the LSB is 0 */
	assert_int_equal(i8254_count(&pit, 1, 0x100), 0x1200);
	assert_int_equal(i8254_read(&pit, 1, 0x300), 0x10); /* 0x1000 */
	assert_int_equal(i8254_read(&pit, 1, 0x301), 0x0f); /* 0x0fff */
}

static void test_mode2_rate_generator(void **state)
{
	(void)state;
	struct i8254 pit;
	i8254_init(&pit);
	i8254_write(&pit, CONTROL, CW(0, I8254_ACCESS_WORD, 2), 0);
	assert_true(i8254_output(&pit, 0, 0)); /* mode 2: OUT high from the control word */
	load_word(&pit, 0, 100, 1000);
	assert_int_equal(i8254_count(&pit, 0, 1000), 100);
	assert_int_equal(i8254_count(&pit, 0, 1001), 99);
	assert_int_equal(i8254_count(&pit, 0, 1099), 1);
	assert_int_equal(i8254_count(&pit, 0, 1100), 100); /* reloaded */
	assert_true(i8254_output(&pit, 0, 1098));
	assert_false(i8254_output(&pit, 0, 1099));          /* low for the one tick at count 1 */
	assert_true(i8254_output(&pit, 0, 1100));
	assert_int_equal(i8254_next_rising_edge(&pit, 0, 1005), 1100);
	assert_int_equal(i8254_next_rising_edge(&pit, 0, 1100), 1200);
	assert_int_equal(i8254_next_rising_edge(&pit, 0, 1000 + 100 * 1000 + 7), 1000 + 100 * 1001);
	assert_int_equal(latched_count(&pit, 0, 1000 + 250), 50);
}

static void test_mode2_new_count_waits_for_the_end_of_the_period(void **state)
{
	(void)state;
	struct i8254 pit;
	i8254_init(&pit);
	i8254_write(&pit, CONTROL, CW(0, I8254_ACCESS_WORD, 2), 0);
	load_word(&pit, 0, 100, 0);
	load_word(&pit, 0, 50, 30);
	assert_int_equal(i8254_count(&pit, 0, 60), 40);    /* still the old period */
	assert_int_equal(i8254_next_rising_edge(&pit, 0, 60), 100);
	assert_int_equal(i8254_count(&pit, 0, 100), 50);   /* the new count from the reload on */
	assert_int_equal(i8254_count(&pit, 0, 149), 1);
	assert_int_equal(i8254_next_rising_edge(&pit, 0, 100), 150);
	/* A control word, by contrast, resets the channel: the next count starts at once. */
	i8254_write(&pit, CONTROL, CW(0, I8254_ACCESS_WORD, 2), 160);
	load_word(&pit, 0, 30, 170);
	assert_int_equal(i8254_next_rising_edge(&pit, 0, 170), 200);
}

static void test_mode3_square_wave(void **state)
{
	(void)state;
	struct i8254 pit;
	i8254_init(&pit);
	i8254_write(&pit, CONTROL, CW(0, I8254_ACCESS_WORD, 3), 0);
	load_word(&pit, 0, 10, 0);
	static const uint16_t even_counts[] = { 10, 8, 6, 4, 2, 10, 8, 6, 4, 2, 10 };
	for (unsigned t = 0; t <= 10; t++) {
		assert_int_equal(i8254_count(&pit, 0, t), even_counts[t]);
		assert_int_equal(i8254_output(&pit, 0, t), t % 10 < 5); /* high for 5, low for 5 */
	}
	assert_int_equal(i8254_next_rising_edge(&pit, 0, 3), 10);
	assert_int_equal(i8254_next_rising_edge(&pit, 0, 10), 20);
	/* Odd N: high for (N + 1) / 2 ticks, low for (N - 1) / 2. */
	i8254_write(&pit, CONTROL, CW(0, I8254_ACCESS_WORD, 3), 100);
	load_word(&pit, 0, 5, 100);
	static const uint16_t odd_counts[] = { 5, 4, 2, 5, 2, 5 };
	static const bool odd_out[] = { true, true, true, false, false, true };
	for (unsigned t = 0; t <= 5; t++) {
		assert_int_equal(i8254_count(&pit, 0, 100 + t), odd_counts[t]);
		assert_int_equal(i8254_output(&pit, 0, 100 + t), odd_out[t]);
	}
	/* Control word values 6 and 7 are modes 2 and 3 (the datasheet's "X10", "X11"). */
	i8254_write(&pit, CONTROL, (uint8_t)(CW(0, I8254_ACCESS_WORD, 7)), 200);
	load_word(&pit, 0, 4, 200);
	assert_false(i8254_output(&pit, 0, 202));
	assert_true(i8254_output(&pit, 0, 204));
}

static void test_strobe_modes_pulse_low_for_one_tick(void **state)
{
	(void)state;
	struct i8254 pit;
	i8254_init(&pit);
	i8254_write(&pit, CONTROL, CW(0, I8254_ACCESS_WORD, 4), 0);
	load_word(&pit, 0, 20, 0);
	assert_true(i8254_output(&pit, 0, 19));
	assert_false(i8254_output(&pit, 0, 20));
	assert_true(i8254_output(&pit, 0, 21));
	assert_int_equal(i8254_next_rising_edge(&pit, 0, 0), 21);
	assert_int_equal(i8254_next_rising_edge(&pit, 0, 21), UINT64_MAX);
}

static void test_read_back_latches_status_then_count(void **state)
{
	(void)state;
	struct i8254 pit;
	i8254_init(&pit);
	i8254_write(&pit, CONTROL, CW(0, I8254_ACCESS_WORD, 2), 0);
	/* Read-back of channel 0's status (bit 4 clear) only: NULL COUNT set, no count yet. */
	i8254_write(&pit, CONTROL, 0xc0 | 0x20 | 0x02, 1);
	assert_int_equal(i8254_read(&pit, 0, 1), 0x80 | 0x40 | 0x30 | 0x04);
	load_word(&pit, 0, 300, 10);
	/* Status and count of channels 0 and 2: channel 0's status comes first, then its count. */
	i8254_write(&pit, CONTROL, 0xc0 | 0x08 | 0x02, 110);
	assert_int_equal(i8254_read(&pit, 0, 150), 0x80 | 0x30 | 0x04);
	assert_int_equal(read_word(&pit, 0, 200), 200);
	assert_int_equal(i8254_read(&pit, 2, 200), 0x80 | 0x40 | 0x30); /* channel 2: as at power-on */
	/* At count 1 in mode 2, OUT reads low in the status. */
	i8254_write(&pit, CONTROL, 0xc0 | 0x20 | 0x02, 309);
	assert_int_equal(i8254_read(&pit, 0, 309) & 0x80, 0);
	assert_int_equal(i8254_read(&pit, 3, 0), 0xff); /* the control register is write-only */
}

static void test_gate_pauses_mode0_and_restarts_mode2(void **state)
{
	(void)state;
	struct i8254 pit;
	i8254_init(&pit);
	/* Channel 2's GATE starts low: a mode 0 count waits for it (the TSC calibration pattern). */
	i8254_write(&pit, CONTROL, CW(2, I8254_ACCESS_WORD, 0), 0);
	load_word(&pit, 2, 100, 0);
	assert_int_equal(i8254_count(&pit, 2, 500), 100);
	assert_int_equal(i8254_next_rising_edge(&pit, 2, 500), UINT64_MAX);
	i8254_set_gate(&pit, 2, true, 1000);
	assert_int_equal(i8254_count(&pit, 2, 1040), 60);
	i8254_set_gate(&pit, 2, false, 1040); /* paused at 60 */
	assert_int_equal(i8254_count(&pit, 2, 3000), 60);
	assert_false(i8254_output(&pit, 2, 3000));
	i8254_set_gate(&pit, 2, true, 4000);
	assert_false(i8254_output(&pit, 2, 4059));
	assert_true(i8254_output(&pit, 2, 4060));
	/* Mode 2: GATE low stops it with OUT high; rising, it reloads the full count. */
	i8254_write(&pit, CONTROL, CW(2, I8254_ACCESS_WORD, 2), 5000);
	load_word(&pit, 2, 10, 5000);
	i8254_set_gate(&pit, 2, false, 5009);
	assert_true(i8254_output(&pit, 2, 5009));
	assert_int_equal(i8254_count(&pit, 2, 6000), 1);
	i8254_set_gate(&pit, 2, true, 7000);
	assert_int_equal(i8254_count(&pit, 2, 7000), 10);
	assert_int_equal(i8254_next_rising_edge(&pit, 2, 7000), 7010);
}

static void test_count_zero_is_the_largest_and_bcd_counts_in_decimal(void **state)
{
	(void)state;
	struct i8254 pit;
	i8254_init(&pit);
	i8254_write(&pit, CONTROL, CW(0, I8254_ACCESS_WORD, 2), 0);
	load_word(&pit, 0, 0, 0); /* 65536 */
	assert_int_equal(read_word(&pit, 0, 1), 0xffff);
	assert_int_equal(i8254_next_rising_edge(&pit, 0, 1), 65536);
	i8254_write(&pit, CONTROL, CW(0, I8254_ACCESS_WORD, 2) | 1, 0);
	load_word(&pit, 0, 0x1000, 0); /* BCD 1000 */
	assert_int_equal(read_word(&pit, 0, 1), 0x0999);
	assert_int_equal(i8254_next_rising_edge(&pit, 0, 1), 1000);
	load_word(&pit, 0, 0, 1500); /* BCD 0: 10000, from the end of the current period */
	assert_int_equal(i8254_next_rising_edge(&pit, 0, 1501), 2000);
	assert_int_equal(i8254_next_rising_edge(&pit, 0, 2000), 12000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode0_counts_down_and_raises_out_at_terminal_count),
		cmocka_unit_test(test_mode0_first_byte_stops_the_count),
		cmocka_unit_test(test_latch_holds_until_read_and_ignores_a_second_latch),
		cmocka_unit_test(test_lsb_only_and_msb_only_access),
		cmocka_unit_test(test_mode2_rate_generator),
		cmocka_unit_test(test_mode2_new_count_waits_for_the_end_of_the_period),
		cmocka_unit_test(test_mode3_square_wave),
		cmocka_unit_test(test_strobe_modes_pulse_low_for_one_tick),
		cmocka_unit_test(test_read_back_latches_status_then_count),
		cmocka_unit_test(test_gate_pauses_mode0_and_restarts_mode2),
		cmocka_unit_test(test_count_zero_is_the_largest_and_bcd_counts_in_decimal),
	};
	return cmocka_run_group_tests_name("i8254", tests, NULL, NULL);
}
