/* SPDX-License-Identifier: Apache-2.0 */
/* Hypervisor panic: a bug in Tessera itself, never a guest's doing. Prints the reason and powers
 * the machine off so QEMU (or the board) does not hang silently. */
#include "kernel/panic.h"
#include "kernel/console.h"
#include "kernel/percpu.h"
#include "arch/boot.h"
#include "arch/cpu.h"
#include "lib/format.h"
#include "lib/string.h"

static void panic_putc(void *ctx, char c)
{
	(void)ctx;
	console_write_unlocked(&c, 1);
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
	static int panicking;
	arch_irq_disable();
	/* A second CPU panicking at the same time, or a panic inside the panic, just stops. */
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL))
		arch_cpu_halt();
	va_list ap;
	va_start(ap, fmt);
	struct percpu *cpu = this_cpu();
	/* The console lock may be held by the CPU that faulted: write without it. */
	console_write_unlocked("\n!!! Tessera panic on CPU ", 26);
	char buf[16];
	int n = format_snprintf(buf, sizeof(buf), "%u", cpu ? cpu->id : 0);
	console_write_unlocked(buf, (size_t)n);
	console_write_unlocked(" at ", 4);
	console_write_unlocked(file, strlen(file));
	n = format_snprintf(buf, sizeof(buf), ":%d: ", line);
	console_write_unlocked(buf, (size_t)n);
	format_callback(panic_putc, NULL, fmt, ap);
	console_write_unlocked("\n", 1);
	va_end(ap);
	arch_power_off();
}
