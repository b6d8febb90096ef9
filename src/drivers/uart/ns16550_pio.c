/* SPDX-License-Identifier: Apache-2.0 */
/* A 16550 UART on x86 I/O ports (COM1 at 0x3F8 on PCs): output polled, input by interrupt. Registers: TI PC16550D datasheet,
 * section 8 (include/drivers/ns16550_regs.h); one port per register. The console runs at 115200
 * baud, 8N1: divisor 1 of the 1.8432 MHz / 16 clock. */
#include "arch_impl/io.h"
#include "drivers/ns16550_regs.h"
#include "kernel/console.h"
#include "kernel/driver.h"

#define DIVISOR_115200 1

static uint16_t port_of(const struct uart_desc *desc, unsigned reg)
{
	return (uint16_t)(desc->base + (reg << desc->reg_shift));
}

static int ns16550_pio_init(const struct uart_desc *desc)
{
	outb(port_of(desc, NS16550_IER), 0);
	outb(port_of(desc, NS16550_LCR), NS16550_LCR_DLAB);
	outb(port_of(desc, NS16550_DLL), DIVISOR_115200 & 0xff);
	outb(port_of(desc, NS16550_DLM), DIVISOR_115200 >> 8);
	outb(port_of(desc, NS16550_LCR), NS16550_LCR_8N1);
	outb(port_of(desc, NS16550_FCR), NS16550_FCR_ENABLE | NS16550_FCR_CLEAR);
	outb(port_of(desc, NS16550_MCR), NS16550_MCR_DTR | NS16550_MCR_RTS | NS16550_MCR_OUT2);
	return 0;
}

static void ns16550_pio_putc(const struct uart_desc *desc, char c)
{
	while (!(inb(port_of(desc, NS16550_LSR)) & NS16550_LSR_THRE))
		;
	outb(port_of(desc, NS16550_THR), (uint8_t)c);
}

static int ns16550_pio_getc(const struct uart_desc *desc)
{
	if (!(inb(port_of(desc, NS16550_LSR)) & NS16550_LSR_DR))
		return -1;
	return inb(port_of(desc, NS16550_RBR));
}

/* Data-ready interrupt (PC16550D 8.6); reading RBR until LSR.DR clears ends it. On a PC it reaches
 * the interrupt controller only with MCR.OUT2 set, as init leaves it. */
static void ns16550_pio_enable_rx_interrupt(const struct uart_desc *desc)
{
	outb(port_of(desc, NS16550_IER), NS16550_IER_RDI);
}

static const struct uart_ops ns16550_pio_ops = {
	.init = ns16550_pio_init,
	.putc = ns16550_pio_putc,
	.getc = ns16550_pio_getc,
	.enable_rx_interrupt = ns16550_pio_enable_rx_interrupt,
};

static const char *const ns16550_pio_compatible[] = { "x86,ns16550-pio", NULL };

static const struct driver ns16550_pio_driver = {
	.class = DRIVER_UART,
	.name = "ns16550-pio",
	.compatible = ns16550_pio_compatible,
	.ops = &ns16550_pio_ops,
};
DRIVER_REGISTER(ns16550_pio_driver);
