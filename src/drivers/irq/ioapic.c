/* SPDX-License-Identifier: Apache-2.0 */
/* I/O APIC (Intel 82093AA datasheet, 3.2: IOREGSEL at +0x00 selects a register, IOWIN at +0x10
 * reads or writes it; register 01h holds the number of redirection entries, and entry n is the
 * register pair 10h+2n (low) / 11h+2n (high)). */
#include "drivers/ioapic.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"

#define IOAPIC_MAX 4
#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOAPIC_VERSION 0x01
#define IOAPIC_REDIRECTION(pin) (0x10 + 2 * (pin))

#define REDIRECTION_ACTIVE_LOW (1u << 13)
#define REDIRECTION_LEVEL (1u << 15)
#define REDIRECTION_MASKED (1u << 16)

struct ioapic {
	volatile uint32_t *regs;
	uint32_t gsi_base;
	unsigned pins;
};

static struct ioapic ioapics[IOAPIC_MAX];
static unsigned ioapic_count;
static struct spinlock ioapic_lock = SPINLOCK_INIT; /* IOREGSEL/IOWIN is a two-step access */

static uint32_t ioapic_read(const struct ioapic *io, uint32_t reg)
{
	io->regs[IOREGSEL / 4] = reg;
	return io->regs[IOWIN / 4];
}

static void ioapic_write(const struct ioapic *io, uint32_t reg, uint32_t value)
{
	io->regs[IOREGSEL / 4] = reg;
	io->regs[IOWIN / 4] = value;
}

static struct ioapic *ioapic_for(uint32_t gsi, unsigned *pin)
{
	for (unsigned i = 0; i < ioapic_count; i++) {
		struct ioapic *io = &ioapics[i];
		if (gsi >= io->gsi_base && gsi < io->gsi_base + io->pins) {
			*pin = gsi - io->gsi_base;
			return io;
		}
	}
	return NULL;
}

int ioapic_add(paddr_t address, uint32_t gsi_base)
{
	if (ioapic_count >= IOAPIC_MAX)
		return -ENOSPC;
	struct ioapic *io = &ioapics[ioapic_count];
	io->regs = (volatile uint32_t *)(uintptr_t)address;
	io->gsi_base = gsi_base;
	io->pins = ((ioapic_read(io, IOAPIC_VERSION) >> 16) & 0xff) + 1;
	for (unsigned pin = 0; pin < io->pins; pin++) {
		ioapic_write(io, IOAPIC_REDIRECTION(pin), REDIRECTION_MASKED);
		ioapic_write(io, IOAPIC_REDIRECTION(pin) + 1, 0);
	}
	ioapic_count++;
	return (int)io->pins;
}

int ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id, bool level_triggered, bool active_low)
{
	unsigned pin;
	unsigned long flags = spin_lock_irqsave(&ioapic_lock);
	struct ioapic *io = ioapic_for(gsi, &pin);
	if (io) {
		/* Fixed delivery, physical destination mode: bits 8-11 stay 0. */
		uint32_t low = vector | (level_triggered ? REDIRECTION_LEVEL : 0) |
			       (active_low ? REDIRECTION_ACTIVE_LOW : 0);
		ioapic_write(io, IOAPIC_REDIRECTION(pin), low | REDIRECTION_MASKED);
		ioapic_write(io, IOAPIC_REDIRECTION(pin) + 1, apic_id << 24);
		ioapic_write(io, IOAPIC_REDIRECTION(pin), low);
	}
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return io ? 0 : -ENOENT;
}

int ioapic_mask(uint32_t gsi)
{
	unsigned pin;
	unsigned long flags = spin_lock_irqsave(&ioapic_lock);
	struct ioapic *io = ioapic_for(gsi, &pin);
	if (io)
		ioapic_write(io, IOAPIC_REDIRECTION(pin),
			     ioapic_read(io, IOAPIC_REDIRECTION(pin)) | REDIRECTION_MASKED);
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return io ? 0 : -ENOENT;
}
