/* SPDX-License-Identifier: Apache-2.0 */
/* The scheduler (see kernel/sched.h).
 *
 * One lock, sched_lock, guards every run queue and every task's state: scheduling events are rare
 * next to guest execution, and one lock keeps wake-ups across CPUs simple to reason about.
 * A task's context may still be live on its old CPU for a moment after it was queued elsewhere
 * (it went to sleep and was woken at once); 'on_cpu' marks that, and a CPU about to switch to
 * such a task waits until the old CPU has left its stack. A CPU runs a slice timer only while
 * tasks wait for it: a task alone on its CPU (a vCPU with a CPU of its own) is not interrupted
 * every slice to learn that nobody else wants the CPU, which for a vCPU is an exit each time. An
 * idle CPU has none and sleeps until an interrupt.
 *
 * Queues are FIFO with one exception, wake-up preemption: a woken task (a vCPU whose guest's timer
 * fired, a shell that got a key) that has had less CPU time than the task running on its CPU goes
 * first and takes the CPU at once, instead of waiting out the slice (up to 10 ms of interrupt
 * latency for a guest sharing its CPU). "Less" is measured in vruntime: CPU time, raised at each
 * wake-up to no less than one slice behind the task it would preempt, so that a long sleeper
 * cannot claim back all the time it slept and a task that sleeps a moment between long runs gains
 * nothing (its CPU time keeps up with the other's); the preempted task resumes next, ahead of the
 * queue. The idea is CFS's (Linux, kernel/sched/fair.c: place_entity, wakeup_preempt_entity).
 *
 * A slice is shorter when the task next in line has barely run (START_SLICE_NS): VMs started
 * together each reach their first instruction within a start slice per task ahead of them. A
 * VM's vCPUs are woken when it starts, not when it is made, so wake-up preemption cannot do this:
 * the first of them to run is as new as the others. */
#include "kernel/sched.h"
#include "kernel/percpu.h"
#include "kernel/timer.h"
#include "kernel/mm.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "arch/boot.h"
#include "arch/timer.h"
#include "lib/string.h"

static struct spinlock sched_lock = SPINLOCK_INIT;
static struct task idle_tasks[MAX_CPUS];
/* TIME_SLICE_NS, START_SLICE_NS and WAKEUP_GRANULARITY_NS in timer ticks, worked out once (the
 * boot CPU's sched_init_cpu, the timer's rate known by then): they are on every switch's way. */
static uint64_t slice_ticks, start_slice_ticks, wakeup_granularity_ticks;
static unsigned next_task_id;
static unsigned tasks_alive;

static void slice_expired(struct timer_event *event, void *arg);

struct task *task_current(void)
{
	return this_cpu()->current;
}

bool sched_cpu_has_waiting_tasks(void)
{
	struct percpu *cpu = this_cpu();
	return cpu->run_queue.count > 0 || cpu->need_resched;
}

unsigned sched_tasks_alive(void)
{
	return __atomic_load_n(&tasks_alive, __ATOMIC_RELAXED);
}

static void copy_name(struct task *task, const char *name)
{
	size_t n = strnlen(name, TASK_NAME_MAX - 1);
	memcpy(task->name, name, n);
	task->name[n] = '\0';
}

void sched_init_cpu(unsigned cpu_index)
{
	if (cpu_index == 0) {
		slice_ticks = timer_ns_to_ticks(TIME_SLICE_NS);
		start_slice_ticks = timer_ns_to_ticks(START_SLICE_NS);
		wakeup_granularity_ticks = timer_ns_to_ticks(WAKEUP_GRANULARITY_NS);
	}
	struct percpu *cpu = percpu_of(cpu_index);
	struct task *idle = &idle_tasks[cpu_index];
	idle->id = __atomic_fetch_add(&next_task_id, 1, __ATOMIC_RELAXED);
	copy_name(idle, "idle");
	idle->state = TASK_RUNNING;
	idle->affinity = CPUMASK_ONE(cpu_index);
	idle->cpu = cpu_index;
	idle->on_cpu = true;
	list_init(&idle->queue_node);
	cpu->idle = idle;
	cpu->current = idle;
	__atomic_store_n(&cpu->online, true, __ATOMIC_RELEASE);
}

/* The CPU a woken or new task should run on: its last CPU if allowed, else the allowed online
 * CPU with the fewest tasks homed there, then the shortest queue. Homed, not queued: a new vCPU
 * task runs once and sleeps until its VM starts, so queues say nothing of where the others of a
 * many-VM boot went (sixteen VMs on four CPUs all landed on two). Called with sched_lock held. */
static int pick_cpu(struct task *task)
{
	if ((task->affinity & CPUMASK_ONE(task->cpu)) && percpu_of(task->cpu)->online &&
	    task->switches > 0)
		return (int)task->cpu;
	int best = -1;
	for (unsigned i = 0; i < cpus_possible; i++) {
		struct percpu *cpu = percpu_of(i);
		if (!(task->affinity & CPUMASK_ONE(i)) || !cpu->online)
			continue;
		const struct percpu *b = best < 0 ? NULL : percpu_of((unsigned)best);
		if (!b || cpu->tasks_homed < b->tasks_homed ||
		    (cpu->tasks_homed == b->tasks_homed && cpu->run_queue.count < b->run_queue.count))
			best = (int)i;
	}
	return best;
}

/* Moves the task's home to cpu_index (sched_lock held). */
static void set_home(struct task *task, unsigned cpu_index)
{
	if (task->homed && task->cpu == cpu_index)
		return;
	if (task->homed)
		percpu_of(task->cpu)->tasks_homed--;
	percpu_of(cpu_index)->tasks_homed++;
	task->homed = true;
	task->cpu = cpu_index;
}

/* Whether the task has had less than a start slice of CPU time in all: a new task, or a vCPU
 * whose VM starts now (its task ran only to go to sleep until then). */
static bool task_starting(const struct task *task)
{
	return task->run_ticks < start_slice_ticks;
}

/* Starts this CPU's slice timer if a task runs and others wait for the CPU, and it is not running
 * yet: a start slice if the task next in line is starting (cpu->start_slice, set where tasks are
 * queued and the next one chosen), cutting short a whole one already running. The flag is read
 * without sched_lock: a task queued from another CPU sends an IPI, whose handler comes back here.
 * Interrupts are masked. */
static void start_slice_if_waiting(struct percpu *cpu)
{
	if (cpu->current == cpu->idle || cpu->run_queue.count == 0)
		return;
	bool start = __atomic_load_n(&cpu->start_slice, __ATOMIC_RELAXED);
	if (cpu->slice_timer.armed && !start)
		return;
	uint64_t deadline = arch_timer_now() + (start ? start_slice_ticks : slice_ticks);
	if (!cpu->slice_timer.armed || cpu->slice_timer.deadline > deadline)
		timer_arm(&cpu->slice_timer, deadline, slice_expired, NULL);
}

/* Whether a task woken for cpu should preempt the task running there (placing its vruntime first).
 * Called with sched_lock held (cpu->current and switched_at change under it). */
static bool wake_preempts(struct task *task, struct percpu *cpu)
{
	struct task *running = cpu->current;
	if (running == cpu->idle || cpu->wake_preempted)
		return false;
	uint64_t now = arch_timer_now();
	uint64_t running_vruntime = running->vruntime + (now > cpu->switched_at ? now - cpu->switched_at : 0);
	if (running_vruntime > slice_ticks && task->vruntime < running_vruntime - slice_ticks)
		task->vruntime = running_vruntime - slice_ticks;
	return task->vruntime + wakeup_granularity_ticks < running_vruntime;
}

/* Queues a runnable task and nudges its CPU; a woken one may preempt (wake_preempts). Called with
 * sched_lock held. */
static void enqueue(struct task *task, unsigned cpu_index, bool woken)
{
	struct percpu *cpu = percpu_of(cpu_index);
	set_home(task, cpu_index);
	task->state = TASK_RUNNABLE;
	if (woken && wake_preempts(task, cpu)) {
		/* Taken at this CPU's next way out of an interrupt or exit (the IPI below, for
		 * another CPU), or at the slice's end by a task that never passes one. */
		run_queue_push_front(&cpu->run_queue, &task->queue_node);
		cpu->wake_preempted = true;
		cpu->need_resched = true;
	} else {
		run_queue_push(&cpu->run_queue, &task->queue_node);
	}
	if (task_starting(task))
		cpu->start_slice = true;
	if (cpu->current == cpu->idle) {
		cpu->need_resched = true;
		if (cpu != this_cpu())
			arch_send_ipi(cpu_index);
	} else if (cpu == this_cpu()) {
		start_slice_if_waiting(cpu);
	} else {
		/* The busy CPU starts its slice timer at the IPI (ipi_interrupt). */
		arch_send_ipi(cpu_index);
	}
}

static void task_bootstrap(void *arg);

struct task *task_create(const char *name, void (*entry)(void *), void *arg, cpumask_t affinity)
{
	struct task *task = kzalloc(sizeof(*task));
	void *stack = kmalloc_aligned(KERNEL_STACK_SIZE, 16);
	if (!task || !stack) {
		kfree(task);
		kfree(stack);
		log_error("task %s: out of memory", name);
		return NULL;
	}
	task->id = __atomic_fetch_add(&next_task_id, 1, __ATOMIC_RELAXED);
	copy_name(task, name);
	task->affinity = affinity;
	task->entry = entry;
	task->arg = arg;
	task->stack = stack;
	task->stack_size = KERNEL_STACK_SIZE;
	list_init(&task->queue_node);
	arch_context_init(&task->context, (uintptr_t)stack + KERNEL_STACK_SIZE, task_bootstrap, task);

	unsigned long flags = spin_lock_irqsave(&sched_lock);
	int cpu = pick_cpu(task);
	if (cpu < 0) {
		spin_unlock_irqrestore(&sched_lock, flags);
		log_error("task %s: no online CPU in affinity mask %#llx", name, (unsigned long long)affinity);
		kfree(stack);
		kfree(task);
		return NULL;
	}
	__atomic_fetch_add(&tasks_alive, 1, __ATOMIC_RELAXED);
	enqueue(task, (unsigned)cpu, false);
	spin_unlock_irqrestore(&sched_lock, flags);
	return task;
}

/* Runs on the new task's side of every switch: lets go of the previous task's stack, frees an
 * exited task, and starts or stops the slice timer. Interrupts are masked. */
static void finish_switch(void)
{
	struct percpu *cpu = this_cpu();
	struct task *prev = cpu->switch_from;
	cpu->switch_from = NULL;
	if (prev) {
		bool exited = prev->state == TASK_EXITED;
		__atomic_store_n(&prev->on_cpu, false, __ATOMIC_RELEASE);
		if (exited) {
			kfree(prev->stack);
			kfree(prev);
		}
	}
	if (cpu->current->switch_in)
		cpu->current->switch_in(cpu->current->switch_arg);
	/* A fresh slice for the task switched to, if others wait (enqueue starts it otherwise). */
	timer_cancel(&cpu->slice_timer);
	start_slice_if_waiting(cpu);
}

/* Picks the next task for this CPU and switches to it. Interrupts must be masked. */
static void schedule(void)
{
	struct percpu *cpu = this_cpu();
	spin_lock(&sched_lock);
	struct task *prev = cpu->current;
	cpu->need_resched = false;
	bool requeue = prev->state == TASK_RUNNING && prev != cpu->idle;
	/* Preempted by a woken task (queued first): prev resumes next, ahead of those that waited. */
	bool preempted = requeue && cpu->wake_preempted;
	cpu->wake_preempted = false;
	if (requeue) {
		prev->state = TASK_RUNNABLE;
		if (!preempted)
			run_queue_push(&cpu->run_queue, &prev->queue_node);
	}
	struct list_node *node = run_queue_pop(&cpu->run_queue);
	if (preempted && node) /* node: the woken task */
		run_queue_push_front(&cpu->run_queue, &prev->queue_node);
	else if (preempted) { /* it went to another CPU meanwhile: prev runs on */
		node = &prev->queue_node;
		preempted = false;
	}
	struct task *next = node ? list_entry(node, struct task, queue_node) : cpu->idle;
	next->state = TASK_RUNNING;
	next->cpu = cpu->id;
	if (next == prev) { /* nobody else wants this CPU */
		cpu->start_slice = false;
		spin_unlock(&sched_lock);
		return;
	}
	cpu->current = next;
	cpu->switch_from = prev;
	next->switches++;
	cpu->task_switches++;
	if (preempted) {
		next->wake_preemptions++;
		cpu->wake_preemptions++;
	}
	/* CPU time by task (the idle task's is the CPU's idle time): the shell's load figures. */
	uint64_t now = arch_timer_now();
	prev->run_ticks += now - cpu->switched_at;
	prev->vruntime += now - cpu->switched_at;
	cpu->switched_at = now;
	/* A start slice for next if the task first in line after it is starting (prev too, if it is
	 * queued again: its CPU time is counted just above). */
	cpu->start_slice = !list_empty(&cpu->run_queue.head) &&
			   task_starting(list_entry(cpu->run_queue.head.next, struct task, queue_node));
	spin_unlock(&sched_lock);

	if (prev->switch_out)
		prev->switch_out(prev->switch_arg);
	while (__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
	next->on_cpu = true;
	arch_context_switch(&prev->context, &next->context);
	finish_switch();
}

static void task_bootstrap(void *arg)
{
	struct task *task = arg;
	finish_switch();
	arch_irq_enable();
	task->entry(task->arg);
	task_exit();
}

void task_set_switch_hooks(void (*switch_out)(void *), void (*switch_in)(void *), void *arg)
{
	struct task *self = task_current();
	self->switch_out = switch_out;
	self->switch_in = switch_in;
	self->switch_arg = arg;
}

void task_yield(void)
{
	unsigned long flags = arch_irq_save();
	schedule();
	arch_irq_restore(flags);
}

void task_sleep(void)
{
	unsigned long flags = arch_irq_save();
	struct task *self = this_cpu()->current;
	spin_lock(&sched_lock);
	if (self->wake_pending) {
		/* A wake-up arrived between the caller's check and this call: don't lose it. */
		self->wake_pending = false;
		spin_unlock(&sched_lock);
		arch_irq_restore(flags);
		return;
	}
	self->state = TASK_SLEEPING;
	spin_unlock(&sched_lock);
	schedule();
	arch_irq_restore(flags);
}

void task_wake(struct task *task)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);
	if (task->state == TASK_SLEEPING) {
		int cpu = pick_cpu(task);
		if (cpu >= 0)
			enqueue(task, (unsigned)cpu, true);
	} else if (task->state != TASK_EXITED) {
		task->wake_pending = true;
	}
	spin_unlock_irqrestore(&sched_lock, flags);
}

static void sleep_expired(struct timer_event *event, void *arg)
{
	(void)event;
	task_wake(arg);
}

void task_sleep_ns(uint64_t ns)
{
	struct task *self = task_current();
	uint64_t deadline = arch_timer_now() + timer_ns_to_ticks(ns);
	while (arch_timer_now() < deadline) {
		timer_arm(&self->sleep_timer, deadline, sleep_expired, self);
		task_sleep();
	}
	timer_cancel(&self->sleep_timer);
	self->wake_pending = false;
}

void task_exit(void)
{
	arch_irq_disable();
	struct task *self = this_cpu()->current;
	spin_lock(&sched_lock);
	self->state = TASK_EXITED;
	if (self->homed)
		percpu_of(self->cpu)->tasks_homed--;
	self->homed = false;
	__atomic_fetch_sub(&tasks_alive, 1, __ATOMIC_RELAXED);
	spin_unlock(&sched_lock);
	schedule();
	panic("exited task %s was scheduled again", self->name);
}

static void slice_expired(struct timer_event *event, void *arg)
{
	(void)event;
	(void)arg;
	sched_tick();
}

void sched_tick(void)
{
	struct percpu *cpu = this_cpu();
	if (cpu->current == cpu->idle)
		return;
	if (cpu->run_queue.count > 0)
		cpu->need_resched = true;
	start_slice_if_waiting(cpu);
}

void sched_preempt_if_needed(void)
{
	/* schedule() takes sched_lock without masking: an interrupt taken here while it is held
	 * would wake a task (a vCPU kick) and spin on the lock this CPU holds. The vCPU run loop
	 * calls this with interrupts on. */
	unsigned long flags = arch_irq_save();
	if (this_cpu()->need_resched)
		schedule();
	arch_irq_restore(flags);
}

void ipi_interrupt(void)
{
	/* The sender already set need_resched (for an idle CPU; the interrupt exit path acts on it),
	 * or queued a task behind this CPU's current one, which now gets a slice. */
	struct percpu *cpu = this_cpu();
	cpu->ipis++;
	start_slice_if_waiting(cpu);
}

/* An idle CPU first clears free memory that may hold data, 32 KiB at a time with interrupts
 * masked (mm_scrub_unit), taking the interrupts that came meanwhile between those, then sleeps
 * until an interrupt. */
void sched_idle_loop(void)
{
	for (;;) {
		arch_irq_disable();
		struct percpu *cpu = this_cpu();
		if (cpu->need_resched || cpu->run_queue.count > 0)
			schedule();
		else if (!mm_scrub_pending() || !mm_scrub_unit())
			arch_cpu_idle();
		else
			arch_irq_enable();
	}
}
