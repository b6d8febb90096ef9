/* SPDX-License-Identifier: Apache-2.0 */
/* The hypervisor console on the platform UART (see kernel/console.h). */
#include "kernel/console.h"
#include "kernel/driver.h"
#include "kernel/spinlock.h"
#include "lib/format.h"
#include "lib/errno.h"
#include "kernel/irq.h"

static struct uart_desc console_uart;
static const struct uart_ops *console_ops;
static struct spinlock console_spinlock = SPINLOCK_INIT;

/* The driver each UART kind selects. */
static const char *const kind_compatible[] = {
	[UART_PL011] = "arm,pl011",
	[UART_NS16550_MMIO] = "ns16550a",
	[UART_NS16550_PIO] = "x86,ns16550-pio",
	[UART_CADENCE] = "cdns,uart-r1p12",
};

int console_init(const struct uart_desc *desc)
{
	if (desc->kind == UART_NONE || desc->kind >= ARRAY_SIZE(kind_compatible))
		return -ENODEV;
	const struct driver *drv = driver_find(DRIVER_UART, kind_compatible[desc->kind]);
	if (!drv)
		return -ENODEV;
	const struct uart_ops *ops = drv->ops;
	int err = ops->init ? ops->init(desc) : 0;
	if (err < 0)
		return err;
	console_uart = *desc;
	console_ops = ops;
	return 0;
}

/* Who wrote the console's open line (the last character written was not a newline), so that
 * another writer first ends it: two writers' text never shares a line. */
static const void *line_owner;
static bool mid_line;

static void putc_raw(char c)
{
	if (!console_ops)
		return;
	mid_line = c != '\n';
	if (c == '\n')
		console_ops->putc(&console_uart, '\r');
	console_ops->putc(&console_uart, c);
}

void console_write_unlocked(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		putc_raw(s[i]);
}

bool console_claim_line_unlocked(const void *owner)
{
	bool continues = mid_line && line_owner == owner;
	if (mid_line && line_owner != owner)
		putc_raw('\n');
	line_owner = owner;
	return continues;
}

unsigned long console_lock(void)
{
	return spin_lock_irqsave(&console_spinlock);
}

void console_unlock(unsigned long flags)
{
	spin_unlock_irqrestore(&console_spinlock, flags);
}

void console_putc(char c)
{
	unsigned long flags = console_lock();
	putc_raw(c);
	console_unlock(flags);
}

void console_write(const char *s, size_t len)
{
	unsigned long flags = console_lock();
	console_write_unlocked(s, len);
	console_unlock(flags);
}

int console_getc(void)
{
	return console_ops && console_ops->getc ? console_ops->getc(&console_uart) : -1;
}

static void console_format_putc(void *ctx, char c)
{
	(void)ctx;
	putc_raw(c);
}

int console_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	unsigned long flags = console_lock();
	console_claim_line_unlocked(&console_uart);
	int n = format_callback(console_format_putc, NULL, fmt, ap);
	console_unlock(flags);
	va_end(ap);
	return n;
}

static void (*input_handler)(char c);

static void console_rx_interrupt(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	int c;
	/* Acknowledged before the FIFO is drained: a character that arrives after the last read
	 * raises the interrupt again, where an acknowledgement after the reads would clear its
	 * interrupt and leave it in the FIFO until the next one came (typed lines stalled). */
	if (console_ops->ack_rx_interrupt)
		console_ops->ack_rx_interrupt(&console_uart);
	while ((c = console_ops->getc(&console_uart)) >= 0)
		if (input_handler)
			input_handler((char)c);
}

int console_set_input_handler(void (*handler)(char c))
{
	if (!console_ops || !console_ops->enable_rx_interrupt || !console_uart.irq)
		return -ENODEV;
	input_handler = handler;
	int err = irq_register(console_uart.irq, console_rx_interrupt, NULL);
	if (err < 0)
		return err;
	irq_enable(console_uart.irq);
	console_ops->enable_rx_interrupt(&console_uart);
	return 0;
}
