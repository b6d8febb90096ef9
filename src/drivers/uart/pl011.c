/* SPDX-License-Identifier: Apache-2.0 */
/* Arm PL011 UART, polled (PrimeCell UART PL011 TRM DDI0183, 3.3: UARTDR, UARTFR). The loader or
 * firmware has already set the baud rate; Tessera leaves it. */
#include "kernel/console.h"
#include "kernel/driver.h"

#define UARTDR 0x00
#define UARTFR 0x18
#define UARTIMSC 0x38
#define UARTICR 0x44
#define UART_RXIM (1u << 4)
#define UART_RTIM (1u << 6) /* receive timeout: fewer characters than the FIFO trigger level */
#define UARTFR_RXFE (1u << 4)
#define UARTFR_TXFF (1u << 5)

static volatile uint32_t *reg(const struct uart_desc *d, unsigned offset)
{
	return (volatile uint32_t *)(uintptr_t)(d->base + offset);
}

static void pl011_putc(const struct uart_desc *d, char c)
{
	while (*reg(d, UARTFR) & UARTFR_TXFF)
		;
	*reg(d, UARTDR) = (uint8_t)c;
}

static int pl011_getc(const struct uart_desc *d)
{
	if (*reg(d, UARTFR) & UARTFR_RXFE)
		return -1;
	return (int)(*reg(d, UARTDR) & 0xff);
}

static void pl011_enable_rx_interrupt(const struct uart_desc *d)
{
	*reg(d, UARTIMSC) |= UART_RXIM | UART_RTIM;
}

static void pl011_ack_rx_interrupt(const struct uart_desc *d)
{
	*reg(d, UARTICR) = UART_RXIM | UART_RTIM;
}

static const struct uart_ops pl011_ops = {
	.putc = pl011_putc,
	.getc = pl011_getc,
	.enable_rx_interrupt = pl011_enable_rx_interrupt,
	.ack_rx_interrupt = pl011_ack_rx_interrupt,
};

static const char *const pl011_compatible[] = { "arm,pl011", NULL };
static const struct driver pl011_driver = {
	.class = DRIVER_UART,
	.name = "pl011",
	.compatible = pl011_compatible,
	.ops = &pl011_ops,
};
DRIVER_REGISTER(pl011_driver);
