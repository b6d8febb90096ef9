/* Host UART drivers (pl011, ns16550 over MMIO or I/O ports). */
#ifndef DRIVERS_UART_H
#define DRIVERS_UART_H

#include "kernel/platform.h"

struct uart_ops {
	int (*init)(const struct uart_desc *desc);
	void (*putc)(const struct uart_desc *desc, char c);
	/* Returns a received character or -1 when none is waiting. */
	int (*getc)(const struct uart_desc *desc);
	/* Optional: makes received characters raise the UART's interrupt (desc->irq). */
	void (*enable_rx_interrupt)(const struct uart_desc *desc);
	/* Optional: acknowledges the receive interrupt once the characters have been read. */
	void (*ack_rx_interrupt)(const struct uart_desc *desc);
};

#endif
