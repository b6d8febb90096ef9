/* SPDX-License-Identifier: Apache-2.0 */
/* The host's wall-clock time from its CMOS RTC (MC146818A: index port 0x70, data 0x71), read once
 * when first asked, for the guests' RTC and paravirtual wall clock. Waits out an update in
 * progress (register A bit 7) and honours register B's binary and 12-hour modes. */
#include "arch_impl/host_rtc.h"
#include "arch_impl/io.h"
#include "kernel/spinlock.h"
#include "kernel/timer.h"

static struct spinlock lock;
static uint64_t unix_at_read, ns_at_read;
static bool have_time;

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg | 0x80); /* keep NMIs masked as the host left them */
	return inb(0x71);
}

static unsigned from_bcd(uint8_t v, bool binary) { return binary ? v : (v >> 4) * 10u + (v & 0xf); }

/* Days from 1970-01-01 to a civil date (the inverse of the guest RTC's conversion). */
static uint64_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
	y -= m <= 2;
	unsigned era = y / 400, yoe = y - era * 400;
	unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (uint64_t)era * 146097 + doe - 719468;
}

static void read_host_rtc(void)
{
	for (int i = 0; i < 100000 && (cmos(0x0a) & 0x80); i++)
		;
	uint8_t b = cmos(0x0b);
	bool binary = b & 0x04, h24 = b & 0x02;
	unsigned sec = from_bcd(cmos(0), binary), min = from_bcd(cmos(2), binary);
	uint8_t hour_raw = cmos(4);
	unsigned hour = from_bcd(hour_raw & 0x7f, binary);
	if (!h24 && (hour_raw & 0x80))
		hour = (hour % 12) + 12;
	else if (!h24 && hour == 12)
		hour = 0;
	unsigned day = from_bcd(cmos(7), binary), month = from_bcd(cmos(8), binary);
	unsigned year = from_bcd(cmos(9), binary), century = from_bcd(cmos(0x32), binary);
	year += (century >= 19 && century <= 21 ? century : 20) * 100;
	if (month < 1 || month > 12 || day < 1 || day > 31)
		month = day = 1;
	unix_at_read = days_from_civil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec;
	ns_at_read = timer_uptime_ns();
}

uint64_t x86_host_unix_time_ns(void)
{
	unsigned long flags = spin_lock_irqsave(&lock);
	if (!have_time) {
		read_host_rtc();
		have_time = true;
	}
	uint64_t ns = unix_at_read * 1000000000ULL + (timer_uptime_ns() - ns_at_read);
	spin_unlock_irqrestore(&lock, flags);
	return ns;
}
