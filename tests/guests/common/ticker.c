/* SPDX-License-Identifier: Apache-2.0 */
/* The ticker guest's body, shared by the arches (included by tests/guests/<arch>/ticker.c, which
 * defines clock_now(), TICK_INTERVAL and uart_try_getc()). It prints "ticker <id>: tick <n> at
 * <t>" every TICK_INTERVAL of its own clock (t in that clock's units >> CLOCK_SHIFT), so a test
 * that reads the lines sees whether the clock jumped (a suspend that does not freeze time does).
 * A line typed to it is answered "ticker <id>: got <line>"; the line "flood" makes it print
 * without end, for the console's output budget. Never powers off by itself. */

static void ticker_say(uint64_t id)
{
	puts_uart("ticker ");
	put_dec(id);
	puts_uart(": ");
}

static void ticker_run(uint64_t id)
{
	char line[48];
	unsigned length = 0, polls = 0;
	int flooding = 0;
	uint64_t next = clock_now() + TICK_INTERVAL, n = 0, flood_lines = 0;
	ticker_say(id);
	puts_uart("up\n");
	for (;;) {
		if (flooding) {
			ticker_say(id);
			puts_uart("flood line ");
			put_dec(flood_lines++);
			puts_uart(" ..........................................................\n");
			continue;
		}
		/* The UART is polled now and then: each look is an exit. */
		if (++polls % 64 == 0) {
			int c = uart_try_getc();
			if (c == '\r' || c == '\n') {
				line[length] = 0;
				ticker_say(id);
				puts_uart("got ");
				puts_uart(line);
				putc_uart('\n');
				flooding = length == 5 && line[0] == 'f' && line[1] == 'l' && line[2] == 'o' && line[3] == 'o' &&
					   line[4] == 'd';
				length = 0;
			} else if (c >= 0 && length < sizeof(line) - 1) {
				line[length++] = (char)c;
			}
		}
		uint64_t now = clock_now();
		if (now < next)
			continue;
		ticker_say(id);
		puts_uart("tick ");
		put_dec(n++);
		puts_uart(" at ");
		put_dec(now >> CLOCK_SHIFT);
		putc_uart('\n');
		next += TICK_INTERVAL;
		if (next < now) /* far behind (the clock jumped): no burst of ticks to catch up */
			next = now + TICK_INTERVAL;
	}
}
