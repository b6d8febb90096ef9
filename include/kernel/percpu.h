/* SPDX-License-Identifier: Apache-2.0 */
/* Per-CPU data. Each CPU reaches its own block through arch_this_cpu(); other CPUs' blocks are
 * reached with percpu_of() and are only touched under the lock that guards the field. */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#include "lib/types.h"
#include "kernel/platform.h"
#include "kernel/runqueue.h"
#include "kernel/timer_queue.h"
#include "kernel/spinlock.h"

#define KERNEL_STACK_SIZE (16 * 1024)

struct task;

struct percpu {
	/* The arch's trap code may keep scratch words here (kept first, at fixed offsets). */
	uint64_t arch_scratch[8];
	unsigned id;          /* logical index, 0 = the boot CPU */
	uint64_t hwid;        /* MPIDR affinity, hart id or APIC id */
	bool online;
	struct task *current;
	struct task *idle;
	struct spinlock lock; /* guards timers; run queues are under the scheduler's lock */
	struct run_queue run_queue;
	unsigned tasks_homed;     /* live tasks whose CPU this is, asleep or not (sched.c's placement) */
	struct timer_queue timers;
	bool need_resched;
	uint64_t timer_interrupts;
	uint64_t timer_deadline;  /* what the one-shot timer is set to (ticks), UINT64_MAX: stopped */
	uint64_t timer_rescues;   /* its interrupt found overdue by its neighbour (timer.c) */
	uint64_t neighbour_exits; /* the neighbour's vm_exits when this CPU last looked at it (timer.c) */
	uint64_t ipis;
	uint64_t interrupts;      /* device interrupts taken (irq_handle) */
	bool irq_left_active;     /* the handler asked irq_end for a priority drop only */
	uint64_t vm_exits;        /* guest exits handled here (vcpu_count_exit) */
	uint64_t switched_at;     /* timer ticks at the last task switch (sched.c's CPU time) */
	struct timer_event slice_timer; /* ends the current task's time slice */
	uint64_t task_switches;     /* switches from one task to another (the idle task counts) */
	uint64_t wake_preemptions;  /* of them, a woken task's preempting a running one (sched.c) */
	bool wake_preempted;      /* a woken task was queued first to preempt the current one (sched.c) */
	bool start_slice;         /* the next slice is a start slice: a starting task waits (sched.c) */
	struct task *switch_from;      /* the task this CPU just switched away from */
};

extern struct percpu percpus[MAX_CPUS];
extern unsigned cpus_possible; /* how many CPUs the platform has (boot_info.cpu_count) */

static inline struct percpu *percpu_of(unsigned cpu)
{
	return &percpus[cpu];
}

#include "arch/cpu.h"
static inline struct percpu *this_cpu(void)
{
	return arch_this_cpu();
}

#endif
