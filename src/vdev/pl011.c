/* Emulated Arm PL011 UART (PrimeCell UART PL011 TRM DDI0183: 3.3 register summary). Enough for
 * polled consoles (Linux's earlycon and amba-pl011 in polled use, bare-metal guests): transmit
 * goes to the VM's console, the flag register says "transmit FIFO empty, receive FIFO empty",
 * and the PrimeCell identification registers answer so drivers probe it. */
#include "vdev/models.h"
#include "vmm/vm.h"
#include "kernel/mm.h"

#define UARTDR 0x000
#define UARTFR 0x018
#define UARTIBRD 0x024
#define UARTFBRD 0x028
#define UARTLCR_H 0x02c
#define UARTCR 0x030
#define UARTIFLS 0x034
#define UARTIMSC 0x038
#define UARTRIS 0x03c
#define UARTMIS 0x040
#define UARTICR 0x044
#define UARTPERIPHID0 0xfe0

#define UARTFR_RXFE (1u << 4)
#define UARTFR_TXFE (1u << 7)

/* UARTPeriphID0-3 and UARTPCellID0-3 (TRM 3.3.14-3.3.15). */
static const uint8_t identification[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

struct pl011 {
	struct vdev dev;
	struct vm *vm;
	uint32_t registers[0x48 / 4]; /* the plain read/write registers, by offset */
};

static int pl011_read(struct vdev *dev, uint64_t offset, unsigned width, uint64_t *value)
{
	struct pl011 *uart = dev->priv;
	(void)width;
	if (offset == UARTDR) {
		*value = 0;
		vm_console_flush(uart->vm); /* polling for input: show the prompt first */
	}
	else if (offset == UARTFR)
		*value = UARTFR_RXFE | UARTFR_TXFE;
	else if (offset >= UARTPERIPHID0 && offset < UARTPERIPHID0 + 0x20)
		*value = identification[(offset - UARTPERIPHID0) / 4];
	else if (offset == UARTRIS || offset == UARTMIS)
		*value = 0;
	else if (offset < sizeof(uart->registers))
		*value = uart->registers[offset / 4];
	else
		*value = 0;
	return 0;
}

static int pl011_write(struct vdev *dev, uint64_t offset, unsigned width, uint64_t value)
{
	struct pl011 *uart = dev->priv;
	(void)width;
	if (offset == UARTDR)
		vm_console_putc(uart->vm, (char)(value & 0xff));
	else if (offset != UARTICR && offset < sizeof(uart->registers))
		uart->registers[offset / 4] = (uint32_t)value;
	return 0;
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
	uart->registers[UARTCR / 4] = 0x300; /* TXE | RXE, UART disabled until the guest enables it */
	uart->dev = (struct vdev){ config->name, config->base_gpa, config->length, &pl011_ops, uart };
	return &uart->dev;
}
