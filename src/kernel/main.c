/* SPDX-License-Identifier: Apache-2.0 */
/* The boot flow: bring the machine up (console, memory, MMU, interrupts, timers, every CPU),
 * check that each CPU schedules and takes timer interrupts, then hand over to app_main()
 * (kernel/app.h). */
#include "arch/boot.h"
#include "arch/cpu.h"
#include "arch/timer.h"
#include "kernel/app.h"
#include "kernel/console.h"
#include "kernel/irq.h"
#include "kernel/entropy.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/timer.h"
#include "kernel/version.h"
#include "lib/string.h"

#define CPU_START_TIMEOUT_NS 10000000000ULL /* emulated CPUs on a loaded host can be slow to start */
#define CHECK_SLEEPS 3
#define CHECK_SLEEP_NS 2000000ULL

/* The counter (arch_timer_now) as the boot CPU's first instructions read it, in the arch's entry
 * code (head.S, entry.S, entry32.S): the log's clock counts from the counter's start (reset, on
 * QEMU), so this says how long firmware and boot loader took before the hypervisor ran, and start-up
 * figures count from here (bench/startup.sh). In .data: the entry code writes it before it clears
 * .bss. */
__attribute__((section(".data"))) uint64_t boot_entry_counter;

static void print_banner(const struct boot_info *info)
{
	console_printf("\n"
		       "  _____\n"
		       " |_   _|__  ___ ___  ___ _ __ __ _\n"
		       "   | |/ _ \\/ __/ __|/ _ \\ '__/ _` |\n"
		       "   | |  __/\\__ \\__ \\  __/ | | (_| |\n"
		       "   |_|\\___||___/___/\\___|_|  \\__,_|\n\n");
	console_printf("Tessera %s: a unified type-1 hypervisor (AxVisor-compatible)\n", TESSERA_VERSION);
	console_printf("arch = %s\n", ARCH_NAME);
	console_printf("platform = %s%s%s%s\n", PLATFORM_NAME, info->platform_name ? " (" : "",
		       info->platform_name ? info->platform_name : "", info->platform_name ? ")" : "");
	console_printf("smp = %u\n", info->cpu_count);
	console_printf("log level = %s\n\n", log_level_name(LOG_LEVEL_BUILD));
}

static void setup_percpus(const struct boot_info *info)
{
	cpus_possible = info->cpu_count;
	for (unsigned i = 0; i < info->cpu_count; i++) {
		struct percpu *cpu = percpu_of(i);
		cpu->id = i;
		cpu->hwid = info->cpu_hwids[i];
		run_queue_init(&cpu->run_queue);
		timer_queue_init(&cpu->timers);
	}
}

static void start_secondaries(const struct boot_info *info)
{
	for (unsigned i = 1; i < info->cpu_count; i++) {
		void *stack = kmalloc_aligned(KERNEL_STACK_SIZE, 16);
		if (!stack)
			panic("no memory for CPU %u's stack", i);
		int err = arch_cpu_start(i, info->cpu_hwids[i], (uintptr_t)stack + KERNEL_STACK_SIZE);
		if (err < 0) {
			log_error("CPU %u (hwid %#llx) could not be started: %d", i,
				  (unsigned long long)info->cpu_hwids[i], err);
			continue;
		}
		uint64_t deadline = arch_timer_now() + timer_ns_to_ticks(CPU_START_TIMEOUT_NS);
		while (!__atomic_load_n(&percpu_of(i)->online, __ATOMIC_ACQUIRE)) {
			if (arch_timer_now() > deadline) {
				log_error("CPU %u (hwid %#llx) did not come online", i,
					  (unsigned long long)info->cpu_hwids[i]);
				break;
			}
			arch_cpu_relax();
		}
	}
}

/* The per-CPU check: a task pinned to each online CPU sleeps on timer events a few times and
 * reports where it ran; the boot continues once all have reported. */
struct cpu_check {
	struct task *waiter;
	unsigned remaining;
	unsigned failures;
};

static void cpu_check_task(void *arg)
{
	struct cpu_check *check = arg;
	unsigned expected = task_current()->affinity ? (unsigned)__builtin_ctzll(task_current()->affinity) : 0;
	for (int i = 0; i < CHECK_SLEEPS; i++)
		task_sleep_ns(CHECK_SLEEP_NS);
	struct percpu *cpu = this_cpu();
	if (cpu->id != expected)
		__atomic_fetch_add(&check->failures, 1, __ATOMIC_RELAXED);
	log_info("CPU %u: pinned task '%s' ran on CPU %u, %llu timer interrupts", expected,
		 task_current()->name, cpu->id, (unsigned long long)cpu->timer_interrupts);
	if (__atomic_sub_fetch(&check->remaining, 1, __ATOMIC_ACQ_REL) == 0)
		task_wake(check->waiter);
}

static bool check_cpus(void)
{
	static struct cpu_check check;
	check.waiter = task_current();
	unsigned online = 0;
	for (unsigned i = 0; i < cpus_possible; i++)
		online += percpu_of(i)->online;
	check.remaining = online;
	for (unsigned i = 0; i < cpus_possible; i++) {
		if (!percpu_of(i)->online)
			continue;
		char name[TASK_NAME_MAX] = "check/0";
		name[6] = (char)('0' + i % 10);
		if (!task_create(name, cpu_check_task, &check, CPUMASK_ONE(i)))
			panic("cannot create the check task for CPU %u", i);
	}
	while (__atomic_load_n(&check.remaining, __ATOMIC_ACQUIRE) > 0)
		task_sleep();
	if (check.failures || online != cpus_possible) {
		log_error("CPU check failed: %u of %u CPUs online, %u tasks on the wrong CPU", online,
			  cpus_possible, check.failures);
		return false;
	}
	log_info("All %u CPUs online, scheduling and taking timer interrupts", online);
	return true;
}

/* The preemption check: two tasks that never yield, pinned to one CPU. The second can run only if
 * the time slice ends the first; the first gives up (and the check fails) after a second. */
#define PREEMPT_CHECK_LIMIT_NS 1000000000ULL

struct preempt_check {
	struct task *waiter;
	unsigned cpu;
	uint64_t first_started;
	uint64_t second_started;
	unsigned finished;
};

static void busy_second(void *arg)
{
	struct preempt_check *check = arg;
	__atomic_store_n(&check->second_started, arch_timer_now(), __ATOMIC_RELEASE);
	if (__atomic_add_fetch(&check->finished, 1, __ATOMIC_ACQ_REL) == 2)
		task_wake(check->waiter);
}

static void busy_first(void *arg)
{
	struct preempt_check *check = arg;
	check->first_started = arch_timer_now();
	/* The second task exists only once this one runs: created together, a first task slow to
	 * start (its CPU's host thread descheduled on a loaded machine) could be preempted before it
	 * noted its start, and the second would seem to have run first. */
	if (!task_create("busy/2", busy_second, check, CPUMASK_ONE(check->cpu)))
		panic("cannot create the preemption check's tasks");
	uint64_t limit = check->first_started + timer_ns_to_ticks(PREEMPT_CHECK_LIMIT_NS);
	while (!__atomic_load_n(&check->second_started, __ATOMIC_ACQUIRE) && arch_timer_now() < limit)
		arch_cpu_relax();
	if (__atomic_add_fetch(&check->finished, 1, __ATOMIC_ACQ_REL) == 2)
		task_wake(check->waiter);
}

static bool check_preemption(void)
{
	static struct preempt_check check;
	unsigned cpu = cpus_possible - 1;
	while (cpu > 0 && !percpu_of(cpu)->online)
		cpu--;
	check.waiter = task_current();
	check.cpu = cpu;
	if (!task_create("busy/1", busy_first, &check, CPUMASK_ONE(cpu)))
		panic("cannot create the preemption check's tasks");
	while (__atomic_load_n(&check.finished, __ATOMIC_ACQUIRE) < 2)
		task_sleep();
	if (!check.second_started) {
		log_error("Preemption check failed on CPU %u: a busy task kept it 1 s", cpu);
		return false;
	}
	log_info("Preemption: two busy tasks shared CPU %u, the second ran %llu us after the first started", cpu,
		 (unsigned long long)(timer_ticks_to_ns(check.second_started - check.first_started) / 1000));
	return true;
}

static const char *hypervisor_cmdline;

bool boot_option(const char *word)
{
	const char *cmdline = hypervisor_cmdline;
	if (!cmdline)
		return false;
	size_t n = strlen(word);
	for (const char *p = cmdline; *p;) {
		while (*p == ' ')
			p++;
		if (strncmp(p, word, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return true;
		while (*p && *p != ' ')
			p++;
	}
	return false;
}

/* "tessera.selftest=fault": the hypervisor reads an address it never maps, to show (and let the
 * tests check) that its own faults are reported with registers instead of hanging. */
#define UNMAPPED_PROBE_ADDRESS 0x0000400000000000ULL

static void selftest_fault(void)
{
	log_warn("self-test: reading unmapped address %#llx", UNMAPPED_PROBE_ADDRESS);
	volatile uint64_t *probe = (volatile uint64_t *)(uintptr_t)UNMAPPED_PROBE_ADDRESS;
	(void)*probe;
	panic("self-test: the read of an unmapped address did not fault");
}

const struct boot_info *platform_boot_info;

/* The boot CPU's main task: everything after bring-up that may sleep. */
static void main_task(void *arg)
{
	(void)arg;
	/* The self-checks cost a few hundred milliseconds of every boot (their tasks sleep through
	 * timer ticks): only when asked, as the boot tests do. */
	if (boot_option("tessera.selftest=boot")) {
		check_cpus();
		check_preemption();
	}
	if (boot_option("tessera.selftest=fault"))
		selftest_fault();
	app_main();
	log_info("Hypervisor done: powering off");
	arch_power_off();
}

void kernel_main(struct boot_info *info)
{
	setup_percpus(info);
	hypervisor_cmdline = info->cmdline;
	platform_boot_info = info;
	if (console_init(&info->console) < 0)
		arch_power_off(); /* nowhere to say anything */
	print_banner(info);
	const char *why = "";
	if (!arch_virtualization_supported(&why)) {
		log_error("This CPU cannot run guests: %s. Powering off.", why);
		arch_power_off();
	}
	uint64_t entry_us = timer_ticks_to_ns(boot_entry_counter) / 1000;
	log_info("Timer: %llu Hz; the hypervisor's first instruction at %llu.%06llu s", (unsigned long long)arch_timer_frequency(),
		 (unsigned long long)(entry_us / 1000000), (unsigned long long)(entry_us % 1000000));
	entropy_init(info->fdt);
	mm_init(info);
	if (arch_mmu_init(info) < 0)
		panic("cannot set up the hypervisor's page tables");
	log_info("Hypervisor page tables active");
	if (irq_init(&info->irqchip, info->fdt) < 0)
		panic("no usable interrupt controller");
	irq_init_cpu(0);
	arch_cpu_late_init(0);
	timer_init_cpu();
	sched_init_cpu(0);
	log_info("CPU 0 (hwid %#llx) online", (unsigned long long)info->cpu_hwids[0]);
	start_secondaries(info);
	if (!task_create("main", main_task, NULL, CPUMASK_ONE(0)))
		panic("cannot create the main task");
	sched_idle_loop();
}

void kernel_secondary_main(unsigned cpu_index)
{
	irq_init_cpu(cpu_index);
	arch_cpu_late_init(cpu_index);
	timer_init_cpu();
	log_info("CPU %u (hwid %#llx) online", cpu_index, (unsigned long long)this_cpu()->hwid);
	sched_init_cpu(cpu_index);
	sched_idle_loop();
}
