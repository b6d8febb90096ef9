/* Arm PL011 UART, polled (PrimeCell UART PL011 TRM DDI0183, 3.3: UARTDR, UARTFR). The loader or
 * firmware has already set the baud rate; Tessera leaves it. */
#include "drivers/uart.h"
#include "kernel/driver.h"

#define UARTDR 0x00
#define UARTFR 0x18
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

static const struct uart_ops pl011_ops = {
	.putc = pl011_putc,
	.getc = pl011_getc,
};

static const char *const pl011_compatible[] = { "arm,pl011", NULL };
static const struct driver pl011_driver = {
	.class = DRIVER_UART,
	.name = "pl011",
	.compatible = pl011_compatible,
	.ops = &pl011_ops,
};
DRIVER_REGISTER(pl011_driver);
