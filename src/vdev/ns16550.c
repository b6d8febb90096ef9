/* SPDX-License-Identifier: Apache-2.0 */
/* Emulated 16550 UART (TI PC16550D datasheet, section 8: registers; 8.6 interrupt priorities).
 * Transmit goes to the VM's console; the transmitter is always ready, so THRE is always set and
 * its interrupt fires whenever the guest enables it. Receive is empty until console input is
 * routed to VMs. Registers sit 1 << reg_shift bytes apart (0 on PCs and QEMU's riscv virt; a
 * config can ask for another stride in its first cfg word). Serves MMIO and x86 port I/O. */
#include "vdev/models.h"
#include "drivers/ns16550_regs.h"
#include "vmm/virq.h"
#include "vmm/vm.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"

#define IIR_NO_INTERRUPT 0x01
#define IIR_THR_EMPTY 0x02
#define IIR_RX_DATA 0x04
#define RX_FIFO 32
#define IIR_FIFO_ENABLED 0xc0
#define MSR_DCD_DSR_CTS 0xb0

struct ns16550 {
	struct vdev dev;
	struct vm *vm;
	unsigned reg_shift;
	unsigned irq;
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	bool thre_pending; /* the THR-empty interrupt, cleared by reading IIR or writing THR */
	bool line_raised;
	unsigned lsr_reads_since_write;
	struct spinlock lock; /* the receive FIFO is filled from interrupt context */
	uint8_t rx[RX_FIFO];
	unsigned rx_head, rx_count;
};

/* Recomputes the interrupt line (8.6): received data (priority 2) and THR empty (priority 3). */
static void update_irq(struct ns16550 *uart)
{
	bool level = ((uart->ier & NS16550_IER_THRI) && uart->thre_pending) ||
		     ((uart->ier & NS16550_IER_RDI) && uart->rx_count);
	if (level != uart->line_raised) {
		uart->line_raised = level;
		vm_irq_set(uart->vm, uart->irq, level);
	}
}

static uint8_t read_iir(struct ns16550 *uart)
{
	uint8_t fifo = (uart->fcr & NS16550_FCR_ENABLE) ? IIR_FIFO_ENABLED : 0;
	if ((uart->ier & NS16550_IER_RDI) && uart->rx_count)
		return fifo | IIR_RX_DATA; /* cleared by reading the data */
	if ((uart->ier & NS16550_IER_THRI) && uart->thre_pending) {
		uart->thre_pending = false; /* reading IIR with THRE as the source clears it (8.6.2) */
		update_irq(uart);
		return fifo | IIR_THR_EMPTY;
	}
	return fifo | IIR_NO_INTERRUPT;
}

/* Registers that only the guest writes and whose reading changes nothing: read without the lock
 * (it guards the receive FIFO, filled from interrupt context, and the interrupt state). A read
 * racing another vCPU's write sees the old or the new byte, as on the chip. Returns false for the
 * others. */
static bool read_guest_register(struct ns16550 *uart, unsigned reg, uint64_t *value)
{
	uint8_t lcr = __atomic_load_n(&uart->lcr, __ATOMIC_RELAXED);
	uint8_t mcr = __atomic_load_n(&uart->mcr, __ATOMIC_RELAXED);
	switch (reg) {
	case NS16550_SCR: *value = __atomic_load_n(&uart->scr, __ATOMIC_RELAXED); return true;
	case NS16550_LCR: *value = lcr; return true;
	case NS16550_MCR: *value = mcr; return true;
	case NS16550_IER:
		*value = (lcr & NS16550_LCR_DLAB) ? __atomic_load_n(&uart->dlm, __ATOMIC_RELAXED)
						  : __atomic_load_n(&uart->ier, __ATOMIC_RELAXED);
		return true;
	case NS16550_MSR:
		/* Loopback (MCR bit 4) wires the modem outputs to the inputs: RTS->CTS, DTR->DSR, OUT1->RI,
		 * OUT2->DCD (16550D datasheet, 8.6.5). Linux's 8250 driver tests this before using a port. */
		if (mcr & 0x10)
			*value = ((mcr & 0x2) << 3) | ((mcr & 0x1) << 5) | ((mcr & 0x4) << 4) | ((mcr & 0x8) << 4);
		else
			*value = MSR_DCD_DSR_CTS;
		return true;
	default:
		return false;
	}
}

/* The registers whose reading has effects, under the lock. Out of line, so the unlocked reads
 * need no stack frame. */
static __attribute__((noinline)) int read_locked(struct ns16550 *uart, unsigned reg, uint64_t *value)
{
	unsigned long flags = spin_lock_irqsave(&uart->lock);
	bool dlab = uart->lcr & NS16550_LCR_DLAB;
	switch (reg) {
	case NS16550_RBR:
		if (dlab) {
			*value = uart->dll;
		} else if (uart->rx_count) {
			*value = uart->rx[uart->rx_head];
			uart->rx_head = (uart->rx_head + 1) % RX_FIFO;
			uart->rx_count--;
		} else {
			*value = 0;
		}
		break;
	case NS16550_IIR: *value = read_iir(uart); break;
	case NS16550_LSR:
		*value = NS16550_LSR_THRE | NS16550_LSR_TEMT | (uart->rx_count ? NS16550_LSR_DR : 0);
		/* Drivers read LSR before every THR write: only a second read with no write in between
		 * (a guest polling for input) shows the partial line, so output stays line-buffered. */
		if (++uart->lsr_reads_since_write > 1)
			vm_console_flush(uart->vm);
		break;
	default: *value = 0; break;
	}
	update_irq(uart);
	spin_unlock_irqrestore(&uart->lock, flags);
	return 0;
}

static int ns16550_read(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t *value)
{
	struct ns16550 *uart = dev->priv;
	(void)width;
	unsigned reg = (unsigned)(offset >> uart->reg_shift);
	if (read_guest_register(uart, reg, value))
		return 0;
	return read_locked(uart, reg, value);
}

static int ns16550_write(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t value)
{
	struct ns16550 *uart = dev->priv;
	(void)width;
	uint8_t byte = (uint8_t)value;
	/* The registers read_guest_register reads unlocked are stored atomically. */
	unsigned long flags = spin_lock_irqsave(&uart->lock);
	bool dlab = uart->lcr & NS16550_LCR_DLAB;
	switch (offset >> uart->reg_shift) {
	case NS16550_THR:
		if (dlab) {
			uart->dll = byte;
		} else {
			vm_console_putc(uart->vm, (char)byte);
			uart->lsr_reads_since_write = 0;
			uart->thre_pending = true; /* sent at once: the holding register is empty again */
		}
		break;
	case NS16550_IER:
		if (dlab) {
			__atomic_store_n(&uart->dlm, byte, __ATOMIC_RELAXED);
		} else {
			/* Enabling THRI with the register empty raises the interrupt at once (8.6.2). */
			if ((byte & NS16550_IER_THRI) && !(uart->ier & NS16550_IER_THRI))
				uart->thre_pending = true;
			__atomic_store_n(&uart->ier, byte & 0x0f, __ATOMIC_RELAXED);
		}
		break;
	case NS16550_FCR: uart->fcr = byte; break;
	case NS16550_LCR: __atomic_store_n(&uart->lcr, byte, __ATOMIC_RELAXED); break;
	case NS16550_MCR: __atomic_store_n(&uart->mcr, byte & 0x1f, __ATOMIC_RELAXED); break;
	case NS16550_SCR: __atomic_store_n(&uart->scr, byte, __ATOMIC_RELAXED); break;
	default: break;
	}
	update_irq(uart);
	spin_unlock_irqrestore(&uart->lock, flags);
	return 0;
}

/* Typed input for this VM (vm_console_input): into the receive FIFO, dropped when it is full. */
static void ns16550_receive(void *device, char c)
{
	struct ns16550 *uart = device;
	unsigned long flags = spin_lock_irqsave(&uart->lock);
	if (uart->rx_count < RX_FIFO) {
		uart->rx[(uart->rx_head + uart->rx_count) % RX_FIFO] = (uint8_t)c;
		uart->rx_count++;
	}
	update_irq(uart);
	spin_unlock_irqrestore(&uart->lock, flags);
}

static const struct vdev_ops ns16550_ops = {
	.read = ns16550_read,
	.write = ns16550_write,
};

struct vdev *vdev_ns16550_create(struct vm *vm, const struct vm_emu_device *config)
{
	struct ns16550 *uart = kzalloc(sizeof(*uart));
	if (!uart)
		return NULL;
	uart->vm = vm;
	uart->irq = (unsigned)config->irq;
	uart->reg_shift = config->config_count > 0 ? (unsigned)config->config[0] : 0;
	uart->lcr = NS16550_LCR_8N1;
	uart->dev = (struct vdev){ config->name, config->base_gpa, config->length, &ns16550_ops, uart };
	vm_set_console_input(vm, ns16550_receive, uart);
	return &uart->dev;
}
