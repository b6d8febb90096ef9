/* SPDX-License-Identifier: Apache-2.0 */
/* The preemptive scheduler: kernel tasks with CPU affinity, a run queue per CPU, time slices
 * ended by the timer, sleeping and waking. vCPUs run as tasks.
 *
 * A task runs only on CPUs in its affinity mask. A woken task goes to the CPU it last ran on if
 * the mask allows, otherwise to the first allowed online CPU; that CPU is sent an IPI if it needs
 * to reschedule. */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include "lib/types.h"
#include "lib/list.h"
#include "arch/context.h"
#include "kernel/timer_queue.h"

#define TIME_SLICE_NS 10000000ULL /* 10 ms */
/* The slice when the task next in line has had less CPU time than this in all (a VM's vCPU
 * before its first instructions, sched.c): VMs started together on one CPU each begin within one
 * of these per task ahead of them, not one whole slice each. */
#define START_SLICE_NS 1000000ULL /* 1 ms */
/* Wake-up preemption (sched.c): a woken task preempts the running one when it is at least this
 * much CPU time behind it, and is counted at most one slice behind however long it slept. */
#define WAKEUP_GRANULARITY_NS 1000000ULL /* 1 ms */
#define TASK_NAME_MAX 24

enum task_state { TASK_RUNNABLE, TASK_RUNNING, TASK_SLEEPING, TASK_EXITED };

typedef uint64_t cpumask_t; /* bit n = logical CPU n */
#define CPUMASK_ALL (~(cpumask_t)0)
#define CPUMASK_ONE(cpu) ((cpumask_t)1 << (cpu))

struct task {
	struct arch_context context;
	unsigned id;
	char name[TASK_NAME_MAX];
	enum task_state state;
	cpumask_t affinity;
	unsigned cpu;               /* the CPU whose run queue holds it, or that runs it */
	bool homed;                 /* counted in percpu.tasks_homed of cpu (every live task but idle) */
	struct list_node queue_node;
	void (*entry)(void *arg);
	void *arg;
	void *stack;                /* base of the kernel stack (NULL for a CPU's boot/idle task) */
	size_t stack_size;
	struct timer_event sleep_timer;
	uint64_t switches;          /* times switched in */
	uint64_t wake_preemptions;  /* of them, at a wake-up that preempted a running task */
	uint64_t run_ticks;         /* timer ticks it had a CPU, up to its last switch out */
	/* CPU time as wake-up preemption weighs it: run_ticks, raised at a wake-up to no less than
	 * one slice behind the task it would preempt (a long sleep earns no more than that). */
	uint64_t vruntime;
	bool on_cpu;                /* its registers are live on a CPU (or being saved) */
	bool wake_pending;          /* woken while not asleep: the next task_sleep returns at once */
	/* Called with interrupts masked when the task leaves / regains its CPU: a vCPU task saves
	 * and restores the guest state that lives in CPU registers (NULL: nothing to do). */
	void (*switch_out)(void *arg);
	void (*switch_in)(void *arg);
	void *switch_arg;
};

void sched_init_cpu(unsigned cpu_index); /* makes the running boot flow this CPU's idle task */
/* Creates a runnable task; returns NULL when memory runs out or the mask has no online CPU. */
__must_check struct task *task_create(const char *name, void (*entry)(void *), void *arg, cpumask_t affinity);
struct task *task_current(void);
/* Gives up the CPU; the task stays runnable. */
void task_yield(void);
/* Blocks the current task until task_wake(). */
void task_sleep(void);
/* Blocks the current task for at least ns nanoseconds. */
void task_sleep_ns(uint64_t ns);
/* Makes a sleeping task runnable; no effect on a runnable or running one. */
void task_wake(struct task *task);
__noreturn void task_exit(void);
/* Switches if a switch is due; any context that may sleep (the way out of an interrupt, the idle
 * loop, the vCPU run loop), interrupts on or off. */
void sched_preempt_if_needed(void);
/* The timer's tick handler asks for a switch when the slice is over. */
void sched_tick(void);
/* The idle loop of a CPU. Never returns. */
__noreturn void sched_idle_loop(void);
unsigned sched_tasks_alive(void);
/* Whether another task waits for this CPU (interrupts masked, or a hint only). */
bool sched_cpu_has_waiting_tasks(void);
/* Installs (or, with NULLs, removes) the current task's switch hooks. Interrupts masked. */
void task_set_switch_hooks(void (*switch_out)(void *), void (*switch_in)(void *), void *arg);

#endif
