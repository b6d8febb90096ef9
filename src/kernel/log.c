/* SPDX-License-Identifier: Apache-2.0 */
/* The log (see kernel/log.h). A line is formatted straight to the console under its lock, so
 * long lines are never cut and lines from different CPUs never mix. */
#include "kernel/log.h"
#include "kernel/console.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/timer.h"
#include "lib/format.h"
#include "lib/string.h"
#include "lib/errno.h"

static const char *const level_names[] = { "", "error", "warn", "info", "debug", "trace" };
/* The log's name as a writer of console lines (console_claim_line_unlocked). */
static const char log_line_owner;

const char *log_level_name(int level)
{
	return (level >= LOG_LEVEL_ERROR && level <= LOG_LEVEL_TRACE) ? level_names[level] : "?";
}

static void log_putc(void *ctx, char c)
{
	(void)ctx;
	console_write_unlocked(&c, 1);
}

static void log_printf_unlocked(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	format_callback(log_putc, NULL, fmt, ap);
	va_end(ap);
}

static int runtime_level = LOG_LEVEL_BUILD;

int log_level(void)
{
	return runtime_level;
}

int log_set_level(const char *name)
{
	for (int level = LOG_LEVEL_ERROR; level <= LOG_LEVEL_TRACE; level++) {
		if (strcmp(name, level_names[level]) == 0) {
			/* Lines above the build's level were compiled out: they cannot come back. */
			__atomic_store_n(&runtime_level, level < LOG_LEVEL_BUILD ? level : LOG_LEVEL_BUILD, __ATOMIC_RELAXED);
			return 0;
		}
	}
	return -EINVAL;
}

void log_vwrite(int level, const char *file, int line, const char *prefix, const char *fmt, va_list ap)
{
	if (level > __atomic_load_n(&runtime_level, __ATOMIC_RELAXED))
		return;
	uint64_t ns = timer_uptime_ns();
	struct percpu *cpu = this_cpu();
	struct task *task = cpu ? cpu->current : NULL;
	char module[32];
	/* "main.c" -> "main": AxVisor prints a module path, the base name is ours. */
	int n = 0;
	while (file[n] && file[n] != '.' && n < (int)sizeof(module) - 1) {
		module[n] = file[n];
		n++;
	}
	module[n] = '\0';

	unsigned long flags = console_lock();
	console_claim_line_unlocked(&log_line_owner);
	log_printf_unlocked("[%4llu.%06llu %u:%u %s:%d] ", (unsigned long long)(ns / 1000000000),
			    (unsigned long long)(ns / 1000 % 1000000), cpu ? cpu->id : 0, task ? task->id : 0,
			    module, line);
	if (level <= LOG_LEVEL_WARN)
		log_printf_unlocked("%s: ", log_level_name(level));
	log_printf_unlocked("%s", prefix);
	format_callback(log_putc, NULL, fmt, ap);
	console_write_unlocked("\n", 1);
	console_unlock(flags);
}

void log_write(int level, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vwrite(level, file, line, "", fmt, ap);
	va_end(ap);
}
