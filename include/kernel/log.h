/* SPDX-License-Identifier: Apache-2.0 */
/* The hypervisor's log, in AxVisor's line format:
 *   [  0.159027 0:2 vmm:17] Creating VM [1] "linux"
 * seconds since boot, CPU:task, the source file's base name and line, then the message.
 * LOG_LEVEL_BUILD (from make LOG=...) removes lower levels at compile time.
 * Safe from any CPU and from interrupt context: each line is written under the console lock. */
#ifndef KERNEL_LOG_H
#define KERNEL_LOG_H

#include "lib/types.h"

#define LOG_LEVEL_ERROR 1
#define LOG_LEVEL_WARN 2
#define LOG_LEVEL_INFO 3
#define LOG_LEVEL_DEBUG 4
#define LOG_LEVEL_TRACE 5

#ifndef LOG_LEVEL_BUILD
#define LOG_LEVEL_BUILD LOG_LEVEL_INFO
#endif

void log_write(int level, const char *file, int line, const char *fmt, ...) __printf_like(4, 5);
/* The same with a prefix printed ahead of the message (vmm/vm.h's vm_log_*: "VM[1] linux: "). */
void log_vwrite(int level, const char *file, int line, const char *prefix, const char *fmt, va_list ap);
const char *log_level_name(int level);
/* The level at run time (the shell's `log`): at most the build's; lines above it are not written.
 * log_set_level takes a level's name; -EINVAL for an unknown one. */
int log_level(void);
__must_check int log_set_level(const char *name);

#define log_at(level, ...)                                                  \
	do {                                                                \
		if ((level) <= LOG_LEVEL_BUILD)                             \
			log_write((level), __FILE_NAME__, __LINE__, __VA_ARGS__); \
	} while (0)

#define log_error(...) log_at(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_at(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_at(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_at(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_trace(...) log_at(LOG_LEVEL_TRACE, __VA_ARGS__)

#endif
