/* SPDX-License-Identifier: Apache-2.0 */
/* The PC's CMOS RTC (Motorola MC146818A; the index port 0x70, bit 7 of which is the NMI mask, and
 * the data port 0x71): time and date in BCD, 24-hour mode, counted from the host's wall-clock
 * time at the VM's creation plus the time since; register A shows no update in progress, D a
 * valid battery; the rest of the 128 bytes is plain NVRAM. The guest cannot set the clock (writes
 * to the time registers are dropped) and the RTC raises no interrupts. */
#include "vdev/x86_pc.h"
#include "vmm/vdev.h"
#include "vmm/vm.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "kernel/timer.h"
#include "lib/errno.h"

#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_REG_C 0x0c
#define RTC_REG_D 0x0d
#define RTC_CENTURY 0x32

struct x86_rtc {
	struct vdev dev;
	struct spinlock lock;
	uint8_t index;
	uint8_t nvram[128];
	uint64_t base_seconds;  /* Unix time at base_ns */
	uint64_t base_ns;
};

static uint8_t bcd(unsigned v) { return (uint8_t)((v / 10) << 4 | (v % 10)); }

/* Days since 1970-01-01 to a civil date (proleptic Gregorian; eras of 400 years). */
static void civil_from_days(int64_t days, unsigned *year, unsigned *month, unsigned *day)
{
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	unsigned doe = (unsigned)(days - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*day = doy - (153 * mp + 2) / 5 + 1;
	*month = mp < 10 ? mp + 3 : mp - 9;
	*year = (unsigned)(yoe + era * 400) + (*month <= 2);
}

static uint8_t time_register(struct x86_rtc *rtc, unsigned reg)
{
	uint64_t now = rtc->base_seconds + (timer_uptime_ns() - rtc->base_ns) / 1000000000ULL;
	uint64_t days = now / 86400, secs = now % 86400;
	unsigned year, month, day;
	civil_from_days((int64_t)days, &year, &month, &day);
	switch (reg) {
	case 0: return bcd((unsigned)(secs % 60));
	case 2: return bcd((unsigned)(secs / 60 % 60));
	case 4: return bcd((unsigned)(secs / 3600));
	case 6: return bcd((unsigned)((days + 4) % 7 + 1)); /* 1970-01-01 was a Thursday; Sunday = 1 */
	case 7: return bcd(day);
	case 8: return bcd(month);
	case 9: return bcd(year % 100);
	default: return bcd(year / 100); /* RTC_CENTURY */
	}
}

static int rtc_read(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t *value)
{
	(void)width;
	struct x86_rtc *rtc = dev->priv;
	unsigned long flags = spin_lock_irqsave(&rtc->lock);
	unsigned reg = rtc->index;
	if (offset == 0)
		*value = 0xff; /* the index port is write-only */
	else if ((reg <= 9 && !(reg & 1 && reg < 6)) || reg == RTC_CENTURY) /* not the alarms, 1, 3 and 5 */
		*value = time_register(rtc, reg);
	else
		*value = rtc->nvram[reg];
	spin_unlock_irqrestore(&rtc->lock, flags);
	return 0;
}

static int rtc_write(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t value)
{
	(void)width;
	struct x86_rtc *rtc = dev->priv;
	unsigned long flags = spin_lock_irqsave(&rtc->lock);
	if (offset == 0)
		rtc->index = (uint8_t)(value & 0x7f);
	else if (rtc->index == RTC_REG_B)
		rtc->nvram[RTC_REG_B] = (uint8_t)((value & 0x7e) | 0x02); /* BCD, 24-hour stay; SET ignored */
	else if (rtc->index > RTC_REG_D && rtc->index != RTC_CENTURY)
		rtc->nvram[rtc->index] = (uint8_t)value;
	spin_unlock_irqrestore(&rtc->lock, flags);
	return 0;
}

static const struct vdev_ops rtc_ops = { .read = rtc_read, .write = rtc_write };

int x86_rtc_create(struct vm *vm, uint64_t unix_seconds)
{
	struct x86_rtc *rtc = kzalloc(sizeof(*rtc));
	if (!rtc)
		return -ENOMEM;
	rtc->base_seconds = unix_seconds;
	rtc->base_ns = timer_uptime_ns();
	rtc->nvram[RTC_REG_A] = 0x26;  /* 32.768 kHz time base, 1024 Hz rate, UIP clear */
	rtc->nvram[RTC_REG_B] = 0x02;  /* 24-hour, BCD, no interrupts */
	rtc->nvram[RTC_REG_C] = 0x00;
	rtc->nvram[RTC_REG_D] = 0x80;  /* VRT: the battery is good */
	rtc->dev = (struct vdev){ "CMOS RTC", 0x70, 2, &rtc_ops, rtc };
	struct vdev *conflict;
	int err = vdev_bus_add(&vm->pio_bus, &rtc->dev, &conflict);
	if (err < 0)
		kfree(rtc);
	return err;
}
