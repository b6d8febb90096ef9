/* SPDX-License-Identifier: Apache-2.0 */
/* A VM's PCI bus 0 and its configuration space rules (see vmm/pci_bus.h). */
#include "vmm/pci_bus.h"
#include "lib/errno.h"
#include "lib/string.h"

int pci_bus_add(struct pci_bus *bus, struct pci_function *fn, unsigned first)
{
	for (unsigned slot = first; slot < PCI_SLOTS; slot++) {
		if (!bus->slots[slot]) {
			bus->slots[slot] = fn;
			return (int)slot;
		}
	}
	return -ENOSPC;
}

void pci_bus_remove(struct pci_bus *bus, struct pci_function *fn)
{
	for (unsigned slot = 0; slot < PCI_SLOTS; slot++)
		if (bus->slots[slot] == fn)
			bus->slots[slot] = NULL;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void pci_function_set_bar64(struct pci_function *fn, unsigned bar, uint64_t address, uint64_t size)
{
	fn->bar_size[bar] = size;
	put32(fn->config + PCI_BAR0 + 4 * bar, (uint32_t)address | PCI_BAR_MEMORY_64);
	put32(fn->config + PCI_BAR0 + 4 * (bar + 1), (uint32_t)(address >> 32));
}

/* The 64-bit BAR a register belongs to: its first index and whether reg is the high half. */
static int bar_of(const struct pci_function *fn, unsigned reg, bool *high)
{
	if (reg < PCI_BAR0 || reg >= PCI_BAR0 + 4 * PCI_BARS)
		return -1;
	unsigned index = (reg - PCI_BAR0) / 4;
	if (fn->bar_size[index]) {
		*high = false;
		return (int)index;
	}
	if (index > 0 && fn->bar_size[index - 1]) {
		*high = true;
		return (int)index - 1;
	}
	return -1;
}

uint32_t pci_config_read(const struct pci_bus *bus, unsigned slot, unsigned reg, unsigned width)
{
	const struct pci_function *fn = slot < PCI_SLOTS ? bus->slots[slot] : NULL;
	if (!fn || width == 0 || width > 4 || reg + width > sizeof(fn->config))
		return width >= 4 ? 0xffffffffu : (1u << (8 * width)) - 1;
	uint32_t value = 0;
	memcpy(&value, fn->config + reg, width);
	bool high;
	int bar = bar_of(fn, reg & ~3u, &high);
	if (bar >= 0 && fn->sizing[bar] && width == 4 && !(reg & 3)) {
		/* Sizing (6.2.5.1): the address bits that are not writable read as zero. */
		uint64_t mask = ~(fn->bar_size[bar] - 1);
		value = high ? (uint32_t)(mask >> 32) : ((uint32_t)mask & ~0xfu) | PCI_BAR_MEMORY_64;
	}
	return value;
}

void pci_config_write(struct pci_bus *bus, unsigned slot, unsigned reg, unsigned width, uint32_t value)
{
	struct pci_function *fn = slot < PCI_SLOTS ? bus->slots[slot] : NULL;
	if (!fn || width == 0 || width > 4 || reg + width > sizeof(fn->config))
		return;
	if (reg == PCI_COMMAND && width >= 2) {
		uint16_t command = (uint16_t)((fn->config[PCI_COMMAND] & ~PCI_COMMAND_WRITABLE) | (value & PCI_COMMAND_WRITABLE));
		fn->config[PCI_COMMAND] = (uint8_t)command;
		return;
	}
	if (reg == PCI_INTERRUPT_LINE && width == 1) {
		fn->config[PCI_INTERRUPT_LINE] = (uint8_t)value;
		return;
	}
	bool high;
	int bar = bar_of(fn, reg & ~3u, &high);
	if (bar >= 0 && width == 4 && !(reg & 3)) {
		/* All ones starts sizing; anything else ends it. The BAR stays where the hypervisor put
		 * it: the guest's own address is not taken (its window is the config's). */
		fn->sizing[bar] = value == 0xffffffffu;
		return;
	}
	/* MSI-X's enable and function mask: bits 7 and 6 of the capability's fourth byte. */
	unsigned control_high = fn->msix_cap + PCI_MSIX_CONTROL + 1;
	if (fn->msix_cap && reg <= control_high && control_high < reg + width) {
		uint8_t written = (uint8_t)(value >> (8 * (control_high - reg)));
		uint8_t bits = (uint8_t)((PCI_MSIX_ENABLE | PCI_MSIX_FUNCTION_MASK) >> 8);
		fn->config[control_high] = (uint8_t)((fn->config[control_high] & ~bits) | (written & bits));
		if (fn->msix_control_written)
			fn->msix_control_written(fn);
		return;
	}
	/* Everything else in the header and the capabilities is read-only. */
}
