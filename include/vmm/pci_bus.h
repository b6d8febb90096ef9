/* SPDX-License-Identifier: Apache-2.0 */
/* A VM's PCI bus 0 (PCI Local Bus Specification 3.0, chapter 6): up to 32 single-function devices,
 * each a 256-byte configuration space with the standard header's rules applied here: read-only
 * identity, a command register with memory/I-O/bus-master bits, memory BARs placed by the
 * hypervisor (as firmware would) that answer the sizing protocol (6.2.5.1) but do not move, and
 * the interrupt line register the guest may write. How configuration space is reached (x86's
 * ports 0xcf8/0xcfc, vdev/x86_pci.c) is the platform's. Pure data, host-tested. */
#ifndef VMM_PCI_BUS_H
#define VMM_PCI_BUS_H

#include "lib/types.h"

#define PCI_SLOTS 32
#define PCI_BARS 6

/* Standard header offsets (PCI 3.0, 6.1). */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION 0x08
#define PCI_CLASS_PROG 0x09
#define PCI_SUBCLASS 0x0a
#define PCI_CLASS 0x0b
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_CAPABILITIES 0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d
#define PCI_STATUS_CAPABILITIES (1u << 4)
#define PCI_COMMAND_WRITABLE 0x7u /* I/O space, memory space, bus master */
#define PCI_BAR_MEMORY_64 0x4u
/* MSI-X (PCI 3.0, 6.8.2): capability id, and Message Control's enable and function mask bits,
 * the capability's only writable ones (bits 15 and 14 of the word at +2). */
#define PCI_CAP_MSIX 0x11
#define PCI_MSIX_CONTROL 2
#define PCI_MSIX_ENABLE (1u << 15)
#define PCI_MSIX_FUNCTION_MASK (1u << 14)

struct pci_function {
	uint8_t config[256];
	uint64_t bar_size[PCI_BARS]; /* a 64-bit memory BAR's size (a power of two) at its first index */
	bool sizing[PCI_BARS];       /* the guest wrote all ones: reads give the size mask */
	void *owner;
	/* Where an MSI-X capability is (0: none). After a write of its Message Control, with the bus's
	 * lock held: msix_control_written (the device looks at the enable and mask bits). */
	unsigned msix_cap;
	void (*msix_control_written)(struct pci_function *fn);
};

struct pci_bus {
	struct pci_function *slots[PCI_SLOTS];
};

/* Puts fn in the lowest free slot from `first` on; the slot, or -ENOSPC. */
__must_check int pci_bus_add(struct pci_bus *bus, struct pci_function *fn, unsigned first);
void pci_bus_remove(struct pci_bus *bus, struct pci_function *fn);
/* A 64-bit prefetchable-less memory BAR at index bar (and bar + 1) at `address`, `size` bytes. */
void pci_function_set_bar64(struct pci_function *fn, unsigned bar, uint64_t address, uint64_t size);
/* Configuration reads and writes of `width` bytes at `reg` of slot `slot` (function 0); an absent
 * function reads as all ones and ignores writes. */
uint32_t pci_config_read(const struct pci_bus *bus, unsigned slot, unsigned reg, unsigned width);
void pci_config_write(struct pci_bus *bus, unsigned slot, unsigned reg, unsigned width, uint32_t value);

#endif
