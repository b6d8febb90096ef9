/* SPDX-License-Identifier: Apache-2.0 */
/* The I/O APIC(s) of an x86 machine: global system interrupts (GSIs) routed to a vector on one
 * CPU. Used by the combined x86 irqchip driver (drivers/irq/lapic.c). */
#ifndef DRIVERS_IOAPIC_H
#define DRIVERS_IOAPIC_H

#include "lib/types.h"

/* Adds an IOAPIC serving GSIs from gsi_base and masks all its inputs; returns its input count or
 * a negative error. */
__must_check int ioapic_add(paddr_t address, uint32_t gsi_base);
/* Routes a GSI to a vector on the CPU with this APIC id, and unmasks it. */
__must_check int ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id, bool level_triggered,
			      bool active_low);
__must_check int ioapic_mask(uint32_t gsi);
/* A GSI's trigger mode and polarity: the MADT's override if any, else the bus default (lapic.c). */
void ioapic_gsi_signalling(uint32_t gsi, bool *level, bool *active_low);

#endif
