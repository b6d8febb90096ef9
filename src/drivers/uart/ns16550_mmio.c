/* SPDX-License-Identifier: Apache-2.0 */
/* 16550-compatible UART over MMIO ("ns16550a", "ns16550", "snps,dw-apb-uart"): polled output
 * and input. Register n sits at base + (n << reg_shift) and is accessed reg_width bytes wide
 * (the device tree's reg-shift and reg-io-width). The firmware has already set the line up
 * (baud rate, 8N1), so init only masks the UART's interrupts and enables the FIFOs; it leaves
 * LCR alone, which on the DesignWare UART may only be written while the UART is idle. */
#include "kernel/console.h"
#include "drivers/ns16550_regs.h"
#include "kernel/driver.h"
#include "lib/errno.h"

static uintptr_t reg_address(const struct uart_desc *desc, unsigned reg)
{
	return (uintptr_t)desc->base + ((uintptr_t)reg << desc->reg_shift);
}

static uint32_t reg_read(const struct uart_desc *desc, unsigned reg)
{
	uintptr_t addr = reg_address(desc, reg);
	if (desc->reg_width == 4)
		return *(volatile uint32_t *)addr;
	return *(volatile uint8_t *)addr;
}

static void reg_write(const struct uart_desc *desc, unsigned reg, uint32_t value)
{
	uintptr_t addr = reg_address(desc, reg);
	if (desc->reg_width == 4)
		*(volatile uint32_t *)addr = value;
	else
		*(volatile uint8_t *)addr = (uint8_t)value;
}

static int ns16550_mmio_init(const struct uart_desc *desc)
{
	if (!desc->base || (desc->reg_width != 1 && desc->reg_width != 4) || desc->reg_shift > 4)
		return -EINVAL;
	reg_write(desc, NS16550_IER, 0);
	reg_write(desc, NS16550_FCR, NS16550_FCR_ENABLE | NS16550_FCR_CLEAR);
	return 0;
}

static void ns16550_mmio_putc(const struct uart_desc *desc, char c)
{
	while (!(reg_read(desc, NS16550_LSR) & NS16550_LSR_THRE))
		;
	reg_write(desc, NS16550_THR, (uint8_t)c);
}

static int ns16550_mmio_getc(const struct uart_desc *desc)
{
	if (!(reg_read(desc, NS16550_LSR) & NS16550_LSR_DR))
		return -1;
	return (int)(reg_read(desc, NS16550_RBR) & 0xff);
}

/* Data-ready interrupt (PC16550D 8.6); reading RBR until LSR.DR clears ends it. */
static void ns16550_mmio_enable_rx_interrupt(const struct uart_desc *desc)
{
	reg_write(desc, NS16550_IER, NS16550_IER_RDI);
}

static const struct uart_ops ns16550_mmio_ops = {
	.init = ns16550_mmio_init,
	.putc = ns16550_mmio_putc,
	.getc = ns16550_mmio_getc,
	.enable_rx_interrupt = ns16550_mmio_enable_rx_interrupt,
};

static const char *const ns16550_mmio_compatible[] = {
	"ns16550a",
	"ns16550",
	"snps,dw-apb-uart",
	NULL,
};

static const struct driver ns16550_mmio_driver = {
	.class = DRIVER_UART,
	.name = "ns16550-mmio",
	.compatible = ns16550_mmio_compatible,
	.ops = &ns16550_mmio_ops,
};
DRIVER_REGISTER(ns16550_mmio_driver);
