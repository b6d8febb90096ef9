/* SPDX-License-Identifier: Apache-2.0 */
/* Emulated Arm PL011 UART (PrimeCell UART PL011 TRM DDI0183: 3.3 register summary, 3.4 interrupts).
 * Transmit goes to the VM's console at once, so the transmit FIFO is always empty and never raises
 * an interrupt. Typed input (vm_console_input) fills a receive FIFO; the receive and receive-timeout
 * interrupts are raised while it holds characters and the guest unmasks them (UARTIMSC). The
 * PrimeCell identification registers answer so drivers probe it. */
#include "vdev/models.h"
#include "vmm/virq.h"
#include "vmm/vm.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"

#define UARTDR 0x000
#define UARTFR 0x018
#define UARTCR 0x030
#define UARTIMSC 0x038
#define UARTRIS 0x03c
#define UARTMIS 0x040
#define UARTICR 0x044
#define UARTPERIPHID0 0xfe0

#define UARTFR_RXFE (1u << 4)
#define UARTFR_RXFF (1u << 6)
#define UARTFR_TXFE (1u << 7)
#define UART_RXI (1u << 4)
#define UART_RTI (1u << 6)
#define RX_FIFO 32

/* UARTPeriphID0-3 and UARTPCellID0-3 (TRM 3.3.14-3.3.15). */
static const uint8_t identification[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

struct pl011 {
	struct vdev dev;
	struct vm *vm;
	unsigned irq;
	struct spinlock lock;
	uint32_t registers[0x48 / 4]; /* the plain read/write registers, by offset */
	uint8_t rx[RX_FIFO];
	unsigned rx_head, rx_count;
	bool line_raised;
	unsigned flag_reads_since_write; /* a guest polling UARTFR for input, not for transmit room */
};

static uint32_t raw_interrupts(const struct pl011 *uart)
{
	return uart->rx_count ? UART_RXI | UART_RTI : 0;
}

/* Called with the lock held; returns whether the line must change, and to what. */
static bool line_change(struct pl011 *uart, bool *level)
{
	*level = (raw_interrupts(uart) & uart->registers[UARTIMSC / 4]) != 0;
	if (*level == uart->line_raised)
		return false;
	uart->line_raised = *level;
	return true;
}

static void update_line(struct pl011 *uart, bool change, bool level)
{
	if (change && uart->irq)
		vm_irq_set(uart->vm, uart->irq, level);
}

/* UARTFR, the register drivers poll: a snapshot of the receive FIFO's fill level needs no lock.
 * Polling it twice with no write between (waiting for input, whereas a transmitting driver reads it
 * once per character) shows the console's pending output first, so a prompt is visible. */
static uint64_t read_flags(struct pl011 *uart)
{
	unsigned count = __atomic_load_n(&uart->rx_count, __ATOMIC_RELAXED);
	/* A hint, not a count: racing vCPUs may lose an increment without harm. */
	unsigned reads = __atomic_load_n(&uart->flag_reads_since_write, __ATOMIC_RELAXED) + 1;
	__atomic_store_n(&uart->flag_reads_since_write, reads, __ATOMIC_RELAXED);
	if (reads > 1)
		vm_console_flush(uart->vm);
	return UARTFR_TXFE | (count ? 0 : UARTFR_RXFE) | (count == RX_FIFO ? UARTFR_RXFF : 0);
}

static int pl011_read(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t *value)
{
	struct pl011 *uart = dev->priv;
	(void)width;
	if (offset == UARTFR) {
		*value = read_flags(uart);
		return 0;
	}
	bool level = false, change = false;
	unsigned long flags = spin_lock_irqsave(&uart->lock);
	if (offset == UARTDR) {
		*value = 0;
		if (uart->rx_count) {
			*value = uart->rx[uart->rx_head];
			uart->rx_head = (uart->rx_head + 1) % RX_FIFO;
			uart->rx_count--;
			change = line_change(uart, &level);
		}
	} else if (offset >= UARTPERIPHID0 && offset < UARTPERIPHID0 + 0x20) {
		*value = identification[(offset - UARTPERIPHID0) / 4];
	} else if (offset == UARTRIS) {
		*value = raw_interrupts(uart);
	} else if (offset == UARTMIS) {
		*value = raw_interrupts(uart) & uart->registers[UARTIMSC / 4];
	} else if (offset < sizeof(uart->registers)) {
		*value = uart->registers[offset / 4];
	} else {
		*value = 0;
	}
	spin_unlock_irqrestore(&uart->lock, flags);
	update_line(uart, change, level);
	/* Reading input: show the prompt first. */
	if (offset == UARTDR)
		vm_console_flush(uart->vm);
	return 0;
}

static int pl011_write(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t value)
{
	struct pl011 *uart = dev->priv;
	(void)width;
	if (offset == UARTDR) {
		__atomic_store_n(&uart->flag_reads_since_write, 0, __ATOMIC_RELAXED);
		vm_console_putc(uart->vm, (char)(value & 0xff));
		return 0;
	}
	bool level = false, change = false;
	unsigned long flags = spin_lock_irqsave(&uart->lock);
	if (offset != UARTICR && offset < sizeof(uart->registers)) {
		/* UARTICR clears latched events; receive interrupts follow the FIFO, so nothing to do. */
		uart->registers[offset / 4] = (uint32_t)value;
		change = line_change(uart, &level);
	}
	spin_unlock_irqrestore(&uart->lock, flags);
	update_line(uart, change, level);
	return 0;
}

static void pl011_receive(void *device, char c)
{
	struct pl011 *uart = device;
	bool level = false, change = false;
	unsigned long flags = spin_lock_irqsave(&uart->lock);
	if (uart->rx_count < RX_FIFO) {
		uart->rx[(uart->rx_head + uart->rx_count) % RX_FIFO] = (uint8_t)c;
		uart->rx_count++;
		change = line_change(uart, &level);
	}
	spin_unlock_irqrestore(&uart->lock, flags);
	update_line(uart, change, level);
}

static const struct vdev_ops pl011_ops = {
	.read = pl011_read,
	.write = pl011_write,
};

struct vdev *vdev_pl011_create(struct vm *vm, const struct vm_emu_device *config)
{
	struct pl011 *uart = kzalloc(sizeof(*uart));
	if (!uart)
		return NULL;
	uart->vm = vm;
	uart->irq = (unsigned)config->irq;
	uart->registers[UARTCR / 4] = 0x300; /* TXE | RXE, UART disabled until the guest enables it */
	uart->dev = (struct vdev){ config->name, config->base_gpa, config->length, &pl011_ops, uart };
	vm_set_console_input(vm, pl011_receive, uart);
	return &uart->dev;
}
