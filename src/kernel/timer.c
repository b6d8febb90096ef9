/* SPDX-License-Identifier: Apache-2.0 */
/* Per-CPU timer events over the arch one-shot timer (see kernel/timer.h). */
#include "kernel/timer.h"
#include "kernel/percpu.h"
#include "arch/timer.h"

#define NS_PER_SECOND 1000000000ULL

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
	if (next == UINT64_MAX)
		arch_timer_stop();
	else
		arch_timer_set_deadline(next);
}

void timer_init_cpu(void)
{
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
}
