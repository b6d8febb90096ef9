/* SPDX-License-Identifier: Apache-2.0 */
/* The hypervisor's console: the platform's UART. Output is serialized by console_lock so lines
 * from different CPUs never interleave. */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include "lib/types.h"
#include "kernel/platform.h"

/* What a UART driver (src/drivers/uart/) gives the console; registered with DRIVER_REGISTER as a
 * DRIVER_UART and chosen by the platform's compatible string. */
struct uart_ops {
	__must_check int (*init)(const struct uart_desc *desc);
	void (*putc)(const struct uart_desc *desc, char c);
	/* Returns a received character or -1 when none is waiting. */
	int (*getc)(const struct uart_desc *desc);
	/* Optional: makes received characters raise the UART's interrupt (desc->irq). */
	void (*enable_rx_interrupt)(const struct uart_desc *desc);
	/* Optional: acknowledges the receive interrupt once the characters have been read. */
	void (*ack_rx_interrupt)(const struct uart_desc *desc);
};

__must_check int console_init(const struct uart_desc *desc);
void console_putc(char c);
void console_write(const char *s, size_t len);
int console_getc(void);
/* Delivers every received character to handler, in interrupt context on the CPU the UART's
 * interrupt reaches. Returns -ENODEV when the UART or platform gives no receive interrupt. */
__must_check int console_set_input_handler(void (*handler)(char c));
/* printf to the console without the log prefix (banner, shell). */
int console_printf(const char *fmt, ...) __printf_like(1, 2);
unsigned long console_lock(void);
void console_unlock(unsigned long flags);
/* With console_lock held, before writing: makes `owner` (any pointer naming a writer: a VM, the
 * log) the writer of the current line. When another writer left its line open (no newline yet),
 * that line is ended first. Returns whether the open line is owner's own, to be continued. */
bool console_claim_line_unlocked(const void *owner);
/* Writes without taking the lock (panic path, or with console_lock held). */
void console_write_unlocked(const char *s, size_t len);

#endif
