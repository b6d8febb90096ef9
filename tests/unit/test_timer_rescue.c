/* SPDX-License-Identifier: Apache-2.0 */
/* The timer's watch over the next CPU (src/kernel/timer.c): every 128th timer interrupt of a CPU
 * looks at the next online CPU's deadline, and one over 50 ms past (its interrupt lost, as QEMU's
 * SVM model can lose it) gets that CPU an IPI and a line counting the guest exits it made
 * meanwhile; a deadline ahead, a little past, or a stopped timer gets nothing, and a CPU alone
 * watches nobody. The arch's timer, IPI and log are recorded here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/timer.h"
#include "arch/boot.h"
#include "arch/timer.h"

#define MS 1000000ull /* ticks of the 1 GHz clock below */

struct percpu percpus[MAX_CPUS];
unsigned cpus_possible;
struct percpu *host_this_cpu;

static uint64_t now;
static unsigned ipis, ipi_to;
static unsigned lines;
static char last_line[256];

uint64_t arch_timer_now(void) { return now; }
uint64_t arch_timer_frequency(void) { return 1000 * MS; }
void arch_timer_set_deadline(uint64_t ticks) { (void)ticks; }
void arch_timer_stop(void) {}
void arch_timer_init_cpu(void) {}
void arch_send_ipi(unsigned cpu_index)
{
	ipis++;
	ipi_to = cpu_index;
}
void spin_lock(struct spinlock *lock) { (void)lock; }
void spin_unlock(struct spinlock *lock) { (void)lock; }
unsigned long spin_lock_irqsave(struct spinlock *lock) { (void)lock; return 0; }
void spin_unlock_irqrestore(struct spinlock *lock, unsigned long flags) { (void)lock; (void)flags; }
void log_write(int level, const char *file, int line, const char *fmt, ...)
{
	(void)level; (void)file; (void)line;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_line, sizeof(last_line), fmt, ap);
	va_end(ap);
	lines++;
}

/* `count` CPUs, those in `online` (a bit each) up with their timers stopped, and CPU 0 running. */
static void machine(unsigned count, unsigned online)
{
	memset(percpus, 0, sizeof(percpus));
	cpus_possible = count;
	for (unsigned i = 0; i < count; i++) {
		percpus[i].id = i;
		percpus[i].online = (online >> i) & 1;
		timer_queue_init(&percpus[i].timers);
		host_this_cpu = &percpus[i];
		timer_init_cpu();
	}
	host_this_cpu = &percpus[0];
	now = 1000 * MS;
	ipis = 0;
	ipi_to = ~0u;
}

/* This CPU's timer interrupts up to its next 128th, which looks. */
static void next_look(void)
{
	do
		timer_interrupt();
	while (host_this_cpu->timer_interrupts % 128);
}

static void test_an_overdue_neighbour_gets_an_ipi(void **state)
{
	(void)state;
	machine(2, 3);
	next_look(); /* CPU 1's exits are counted from here */
	percpus[1].timer_deadline = now - 60 * MS;
	percpus[1].vm_exits = 42;
	for (unsigned i = 0; i < 127; i++)
		timer_interrupt(); /* not the 128th: nobody looks */
	assert_int_equal(ipis, 0);
	unsigned before = lines;
	timer_interrupt();
	assert_int_equal(ipis, 1);
	assert_int_equal(ipi_to, 1);
	assert_int_equal(percpus[1].timer_rescues, 1);
	assert_int_equal(lines, before + 1);
	assert_non_null(strstr(last_line, "CPU 1's timer interrupt is 60000 us overdue (42 guest exits there"));
}

static void test_a_deadline_ahead_a_little_past_or_stopped_is_left_alone(void **state)
{
	(void)state;
	machine(2, 3);
	percpus[1].timer_deadline = now + 5 * MS;
	next_look();
	percpus[1].timer_deadline = now - 10 * MS; /* late, not lost */
	next_look();
	percpus[1].timer_deadline = UINT64_MAX; /* stopped: nothing to wait for */
	next_look();
	assert_int_equal(ipis, 0);
	assert_int_equal(percpus[1].timer_rescues, 0);
}

static void test_the_next_online_cpu_is_watched_and_a_lone_cpu_watches_nobody(void **state)
{
	(void)state;
	machine(3, 1 | 4); /* CPU 1 is not up: CPU 0 watches CPU 2 */
	percpus[1].timer_deadline = now - 100 * MS;
	percpus[2].timer_deadline = now - 100 * MS;
	next_look();
	assert_int_equal(ipis, 1);
	assert_int_equal(ipi_to, 2);
	host_this_cpu = &percpus[2]; /* and CPU 2 watches CPU 0, round the ring */
	percpus[0].timer_deadline = now - 100 * MS;
	next_look();
	assert_int_equal(ipi_to, 0);

	machine(1, 1);
	next_look();
	assert_int_equal(ipis, 0);
}

static void test_lines_are_limited(void **state)
{
	(void)state;
	machine(2, 3);
	unsigned before = lines;
	for (unsigned i = 0; i < 20; i++) {
		percpus[1].timer_deadline = now - 60 * MS;
		next_look();
	}
	assert_int_equal(ipis, 20);
	assert_int_equal(percpus[1].timer_rescues, 20);
	assert_true(lines - before <= 8); /* the earlier tests logged some of the eight already */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_overdue_neighbour_gets_an_ipi),
		cmocka_unit_test(test_a_deadline_ahead_a_little_past_or_stopped_is_left_alone),
		cmocka_unit_test(test_the_next_online_cpu_is_watched_and_a_lone_cpu_watches_nobody),
		cmocka_unit_test(test_lines_are_limited),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
