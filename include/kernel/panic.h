/* SPDX-License-Identifier: Apache-2.0 */
/* Fatal hypervisor errors: print, stop the other CPUs, power off. Never for guest errors. */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include "lib/types.h"

__noreturn void panic_at(const char *file, int line, const char *fmt, ...) __printf_like(3, 4);
#define panic(...) panic_at(__FILE_NAME__, __LINE__, __VA_ARGS__)
#define BUG_ON(cond)                                   \
	do {                                           \
		if (cond)                              \
			panic("BUG: %s", #cond);       \
	} while (0)

#endif
