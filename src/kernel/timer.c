/* SPDX-License-Identifier: Apache-2.0 */
/* Per-CPU timer events over the arch one-shot timer (see kernel/timer.h).
 *
 * Each CPU also watches the next online one's timer from every 128th of its own timer
 * interrupts: a deadline OVERDUE_NS past and still set means that CPU's interrupt was lost (or the
 * CPU did not run at all), and an IPI makes it look at its pending interrupts again; the line
 * logged counts the guest exits that CPU made meanwhile (some: it ran without taking its
 * interrupt). Why: a one-shot timer whose interrupt is lost is never re-armed (only its handler
 * re-arms it), so the CPU's tasks and its VMs' timers stop until something else interrupts it.
 * QEMU 7.2 (Debian 12's; upstream reworked these updates in 2025) loses interrupts so: its SVM
 * model clears CPU_INTERRUPT_VIRQ at every #VMEXIT with a read-modify-write of interrupt_request
 * made without the lock under which its local APIC model (from another thread: the main loop's
 * timers, another vCPU's IPIs) sets CPU_INTERRUPT_HARD or _POLL there, so that bit can vanish; the
 * APIC then holds the vector in IRR and raises the line again only at its next event, which the
 * IPI is. On hardware the check never fires. */
#include "kernel/timer.h"
#include "kernel/percpu.h"
#include "kernel/log.h"
#include "arch/boot.h"
#include "arch/timer.h"

#define NS_PER_SECOND 1000000000ULL
/* Longer than a CPU keeps interrupts masked (a chunk of guest RAM cleared: some milliseconds
 * under QEMU), far shorter than a stall anyone would notice. */
#define OVERDUE_NS 50000000ULL
#define RESCUES_LOGGED 8
/* Looked at from every 128th timer interrupt: the others pay a test of the count, and under 1 %
 * of a guest's timer interrupts pay the look, so the p99 of its latency does not move. */
#define RESCUE_CHECK_EVERY 128

static unsigned rescues_logged;

uint64_t timer_ticks_to_ns(uint64_t ticks)
{
	uint64_t freq = arch_timer_frequency();
	if (!freq)
		return 0;
	/* Split to avoid overflowing 64 bits after a few seconds of uptime. */
	return ticks / freq * NS_PER_SECOND + ticks % freq * NS_PER_SECOND / freq;
}

uint64_t timer_ns_to_ticks(uint64_t ns)
{
	uint64_t freq = arch_timer_frequency();
	return ns / NS_PER_SECOND * freq + ns % NS_PER_SECOND * freq / NS_PER_SECOND;
}

uint64_t timer_uptime_ns(void)
{
	return timer_ticks_to_ns(arch_timer_now());
}

/* Programs the hardware for the earliest pending event. Called with the CPU's lock held. */
static void reprogram(struct percpu *cpu)
{
	uint64_t next = timer_queue_next_deadline(&cpu->timers);
	__atomic_store_n(&cpu->timer_deadline, next, __ATOMIC_RELAXED);
	if (next == UINT64_MAX)
		arch_timer_stop();
	else
		arch_timer_set_deadline(next);
}

/* The next online CPU after `cpu`, or NULL when it is alone. */
static struct percpu *neighbour(const struct percpu *cpu)
{
	for (unsigned step = 1; step < cpus_possible; step++) {
		struct percpu *next = percpu_of((cpu->id + step) % cpus_possible);
		if (__atomic_load_n(&next->online, __ATOMIC_RELAXED))
			return next;
	}
	return NULL;
}

/* The neighbour's timer interrupt lost, as the comment at the top says: an IPI, and a line. */
static __attribute__((noinline, cold)) void rescue_neighbour(struct percpu *cpu, uint64_t now)
{
	struct percpu *next = neighbour(cpu);
	if (!next)
		return;
	uint64_t deadline = __atomic_load_n(&next->timer_deadline, __ATOMIC_RELAXED);
	uint64_t exits = __atomic_load_n(&next->vm_exits, __ATOMIC_RELAXED), since = exits - cpu->neighbour_exits;
	cpu->neighbour_exits = exits;
	if (deadline == UINT64_MAX || now <= deadline || timer_ticks_to_ns(now - deadline) < OVERDUE_NS)
		return;
	__atomic_add_fetch(&next->timer_rescues, 1, __ATOMIC_RELAXED);
	arch_send_ipi(next->id);
	unsigned n = __atomic_add_fetch(&rescues_logged, 1, __ATOMIC_RELAXED);
	if (n <= RESCUES_LOGGED)
		log_warn("timer: CPU %u's timer interrupt is %llu us overdue (%llu guest exits there since this CPU's last "
			 "tick): an IPI makes it look again%s",
			 next->id, (unsigned long long)(timer_ticks_to_ns(now - deadline) / 1000), (unsigned long long)since,
			 n == RESCUES_LOGGED ? "; further ones are counted, not logged" : "");
}

void timer_init_cpu(void)
{
	__atomic_store_n(&this_cpu()->timer_deadline, UINT64_MAX, __ATOMIC_RELAXED);
	arch_timer_stop();
	arch_timer_init_cpu();
}

void timer_arm(struct timer_event *event, uint64_t deadline, timer_fn fn, void *arg)
{
	unsigned long irq_flags = arch_irq_save();
	struct percpu *cpu = this_cpu();
	/* An event still armed on another CPU leaves that CPU's queue under that CPU's lock. */
	if (event->armed && event->cpu != cpu->id)
		timer_cancel(event);
	unsigned long flags = spin_lock_irqsave(&cpu->lock);
	if (event->armed)
		timer_queue_remove(&cpu->timers, event);
	event->deadline = deadline;
	event->fn = fn;
	event->arg = arg;
	event->cpu = cpu->id;
	timer_queue_add(&cpu->timers, event);
	reprogram(cpu);
	spin_unlock_irqrestore(&cpu->lock, flags);
	arch_irq_restore(irq_flags);
}

void timer_cancel(struct timer_event *event)
{
	if (!event->armed)
		return;
	struct percpu *cpu = percpu_of(event->cpu);
	unsigned long flags = spin_lock_irqsave(&cpu->lock);
	timer_queue_remove(&cpu->timers, event);
	if (cpu == this_cpu())
		reprogram(cpu);
	spin_unlock_irqrestore(&cpu->lock, flags);
}

void timer_interrupt(void)
{
	struct percpu *cpu = this_cpu();
	cpu->timer_interrupts++;
	spin_lock(&cpu->lock);
	struct timer_event *event;
	while ((event = timer_queue_pop_expired(&cpu->timers, arch_timer_now())) != NULL) {
		/* Handlers may arm timers again: run them without the lock. */
		spin_unlock(&cpu->lock);
		event->fn(event, event->arg);
		spin_lock(&cpu->lock);
	}
	reprogram(cpu);
	spin_unlock(&cpu->lock);
	if (cpu->timer_interrupts % RESCUE_CHECK_EVERY == 0)
		rescue_neighbour(cpu, arch_timer_now());
}
