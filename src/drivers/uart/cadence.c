/* SPDX-License-Identifier: Apache-2.0 */
/* Cadence UART (cdns,uart-r1p12: Xilinx Zynq and ZynqMP's "PS UART", Zynq UltraScale+ TRM UG1085,
 * chapter 21 and its register reference), polled for output, with a receive interrupt. The boot
 * loader has set the baud rate; Tessera only makes sure both directions are on. */
#include "kernel/console.h"
#include "kernel/driver.h"

#define CDNS_CR 0x00     /* control */
#define CDNS_IER 0x08    /* interrupt enable */
#define CDNS_ISR 0x14    /* interrupt status, write 1 to clear */
#define CDNS_RXTOUT 0x1c /* receiver timeout, in 4 bit times */
#define CDNS_RXWM 0x20   /* receive FIFO trigger level */
#define CDNS_SR 0x2c     /* channel status */
#define CDNS_FIFO 0x30   /* transmit and receive FIFO */

#define CR_RX_EN (1u << 2)
#define CR_RX_DIS (1u << 3)
#define CR_TX_EN (1u << 4)
#define CR_TX_DIS (1u << 5)
#define SR_RXEMPTY (1u << 1)
#define SR_TXFULL (1u << 4)
#define IXR_RXTRIG (1u << 0)
#define IXR_TIMEOUT (1u << 8) /* characters waiting, fewer than the trigger level */

static volatile uint32_t *reg(const struct uart_desc *d, unsigned offset)
{
	return (volatile uint32_t *)(uintptr_t)(d->base + offset);
}

static int cadence_init(const struct uart_desc *d)
{
	/* Enabled and not disabled: a DIS bit wins over its EN bit (UG1085, Control register). */
	uint32_t cr = *reg(d, CDNS_CR);
	*reg(d, CDNS_CR) = (cr & ~(CR_RX_DIS | CR_TX_DIS)) | CR_RX_EN | CR_TX_EN;
	return 0;
}

static void cadence_putc(const struct uart_desc *d, char c)
{
	while (*reg(d, CDNS_SR) & SR_TXFULL)
		;
	*reg(d, CDNS_FIFO) = (uint8_t)c;
}

static int cadence_getc(const struct uart_desc *d)
{
	if (*reg(d, CDNS_SR) & SR_RXEMPTY)
		return -1;
	return (int)(*reg(d, CDNS_FIFO) & 0xff);
}

static void cadence_enable_rx_interrupt(const struct uart_desc *d)
{
	*reg(d, CDNS_RXWM) = 1;
	*reg(d, CDNS_RXTOUT) = 10;
	*reg(d, CDNS_IER) = IXR_RXTRIG | IXR_TIMEOUT;
}

static void cadence_ack_rx_interrupt(const struct uart_desc *d)
{
	*reg(d, CDNS_ISR) = IXR_RXTRIG | IXR_TIMEOUT;
}

static const struct uart_ops cadence_ops = {
	.init = cadence_init,
	.putc = cadence_putc,
	.getc = cadence_getc,
	.enable_rx_interrupt = cadence_enable_rx_interrupt,
	.ack_rx_interrupt = cadence_ack_rx_interrupt,
};

static const char *const cadence_compatible[] = { "cdns,uart-r1p12", NULL };
static const struct driver cadence_driver = {
	.class = DRIVER_UART,
	.name = "cadence-uart",
	.compatible = cadence_compatible,
	.ops = &cadence_ops,
};
DRIVER_REGISTER(cadence_driver);
