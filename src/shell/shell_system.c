/* SPDX-License-Identifier: Apache-2.0 */
/* The shell's look at the hypervisor itself: `log` (the level at run time) and `stats` (per CPU
 * and per VM: load, exits, interrupts, task switches and wake-up preemptions; memory). */
#include "shell_internal.h"
#include "vmm/vm.h"
#include "vmm/vm_list.h"
#include "vmm/vcpu.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/timer.h"
#include "arch/timer.h"
#include "lib/string.h"

static void log_command(int argc, char **argv)
{
	if (argc == 1) {
		shell_printf("log: %s (built with %s; error warn info debug trace)\n", log_level_name(log_level()),
			     log_level_name(LOG_LEVEL_BUILD));
		return;
	}
	if (argc != 2 || log_set_level(argv[1]) < 0) {
		shell_printf("log %s: not a level (error warn info debug trace)\n", argc > 1 ? argv[1] : "");
		return;
	}
	bool capped = strcmp(log_level_name(log_level()), argv[1]) != 0;
	shell_printf("log: %s%s\n", log_level_name(log_level()), capped ? " (the build has no lines below it)" : "");
}

/* Per mille of `part` in `whole`. */
static unsigned permille(uint64_t part, uint64_t whole)
{
	return whole ? (unsigned)(part * 1000 / whole) : 0;
}

static void stats(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		shell_printf("stats: takes no arguments\n");
		return;
	}
	/* A CPU's load is over the time since the last `stats` (or boot): what it does now. */
	static uint64_t last_now, last_idle[MAX_CPUS];
	uint64_t now = arch_timer_now();
	uint64_t span = now - last_now;
	shell_printf("load since the %s:\n", last_now ? "last stats" : "boot");
	shell_printf("%-4s %7s %12s %12s %12s %10s %10s %10s\n", "CPU", "LOAD", "VM-EXITS", "INTERRUPTS", "TIMER-IRQS",
		     "IPIS", "SWITCHES", "WAKE-PRE");
	for (unsigned i = 0; i < cpus_possible; i++) {
		struct percpu *cpu = percpu_of(i);
		if (!cpu->online)
			continue;
		uint64_t idle = cpu->idle->run_ticks + (cpu->current == cpu->idle ? now - cpu->switched_at : 0);
		uint64_t idle_span = idle - last_idle[i];
		last_idle[i] = idle;
		unsigned load = 1000 - permille(idle_span < span ? idle_span : span, span);
		shell_printf("%-4u %5u.%u%% %12llu %12llu %12llu %10llu %10llu %10llu\n", i, load / 10, load % 10,
			     (unsigned long long)cpu->vm_exits, (unsigned long long)cpu->interrupts,
			     (unsigned long long)cpu->timer_interrupts, (unsigned long long)cpu->ipis,
			     (unsigned long long)cpu->task_switches, (unsigned long long)cpu->wake_preemptions);
	}
	last_now = now;
	struct vm *vms[VM_MAX];
	unsigned n = vm_list_snapshot(vms, VM_MAX);
	shell_printf("%-4s %-20s %10s %12s %12s\n", "VM", "NAME", "CPU-MS", "EXITS", "IRQ-EXITS");
	for (unsigned v = 0; v < n; v++) {
		uint64_t ticks = 0, by_reason[EXIT_FAULT + 1];
		for (unsigned i = 0; i < vms[v]->vcpu_count; i++)
			ticks += vms[v]->vcpus[i]->task->run_ticks;
		uint64_t exits = vm_exit_counts(vms[v], by_reason);
		shell_printf("%-4u %-20s %10llu %12llu %12llu\n", vms[v]->id, vms[v]->name,
			     (unsigned long long)(timer_ticks_to_ns(ticks) / 1000000), (unsigned long long)exits,
			     (unsigned long long)by_reason[EXIT_IRQ]);
	}
	shell_printf("memory: %llu of %llu frames free (%llu MiB), heap %llu bytes in use\n",
		     (unsigned long long)frames_free(), (unsigned long long)frames_total(),
		     (unsigned long long)(frames_free() * PAGE_SIZE >> 20), (unsigned long long)heap_bytes_used());
	struct mm_scrub_stats scrub;
	mm_scrub_stats(&scrub);
	shell_printf("scrub: %llu free frames to clear; since boot %llu cleared by idle CPUs, %llu when handed out\n",
		     (unsigned long long)scrub.dirty_free, (unsigned long long)scrub.cleared_in_background,
		     (unsigned long long)scrub.cleared_on_demand);
}

const struct shell_command shell_system_commands[] = {
	{ "log", "[error|warn|info|debug|trace]", "the log level at run time", log_command },
	{ "stats", "", "per CPU and per VM: load, exits, interrupts; free memory", stats },
};
const unsigned shell_system_command_count = ARRAY_SIZE(shell_system_commands);
