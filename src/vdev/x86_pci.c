/* SPDX-License-Identifier: Apache-2.0 */
/* PCI configuration mechanism #1 (PCI Local Bus Specification 3.0, 3.2.2.3.2) at ports 0xcf8-0xcff
 * with one device: a host bridge at 00:00.0 (class 06/00; Red Hat's id 1b36:0008, "PCIe host
 * bridge", which Linux drives with no quirks). Every other function reads as absent (all ones).
 * The byte port 0xcf9 inside the window is the reset control register (bit 2, RST_CPU), as on
 * Intel chipsets, so it lives here too: only a dword access at 0xcf8 is CONFIG_ADDRESS. */
#include "vdev/x86_pc.h"
#include "vmm/vdev.h"
#include "vmm/vm.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/string.h"

#define CONFIG_ENABLE (1u << 31)

struct x86_pci {
	struct vdev dev;
	struct vm *vm;
	struct spinlock lock;
	uint32_t address;
	uint8_t bridge[256]; /* the host bridge's configuration space */
};

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

static bool selects_bridge(uint32_t address)
{
	/* Enabled, bus 0, device 0, function 0 (bits 23:8 all zero). */
	return (address & CONFIG_ENABLE) && !(address & 0x00ffff00u);
}

static int pci_read(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t *value)
{
	struct x86_pci *pci = dev->priv;
	unsigned long flags = spin_lock_irqsave(&pci->lock);
	if (offset == 0 && width == 4) {
		*value = pci->address;
	} else if (offset >= 4) {
		unsigned reg = (pci->address & 0xfc) + (unsigned)(offset - 4);
		*value = ~0ULL;
		if (selects_bridge(pci->address) && reg + width <= sizeof(pci->bridge)) {
			*value = 0;
			memcpy(value, pci->bridge + reg, width);
		}
	} else {
		*value = 0; /* 0xcf9 and byte reads of 0xcf8 */
	}
	spin_unlock_irqrestore(&pci->lock, flags);
	return 0;
}

static int pci_write(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t value)
{
	struct x86_pci *pci = dev->priv;
	if (offset == 1 && width == 1) {
		if (value & 4) {
			vm_log_info(pci->vm, "the guest asked for a reset (port 0xcf9)");
			vm_request_reset(pci->vm);
		}
		return 0;
	}
	unsigned long flags = spin_lock_irqsave(&pci->lock);
	if (offset == 0 && width == 4) {
		pci->address = (uint32_t)value & 0x80fffffcu;
	} else if (offset >= 4 && selects_bridge(pci->address)) {
		/* Only the command register's memory/I-O/bus-master bits are writable; the bridge has
		 * no BARs, so sizing writes read back 0 (not implemented, PCI 3.0, 6.2.5.1). */
		unsigned reg = (pci->address & 0xfc) + (unsigned)(offset - 4);
		if (reg == 4 && width >= 2)
			put16(pci->bridge + 4, (uint16_t)(value & 0x7));
	}
	spin_unlock_irqrestore(&pci->lock, flags);
	return 0;
}

static const struct vdev_ops pci_ops = { .read = pci_read, .write = pci_write };

int x86_pci_create(struct vm *vm)
{
	struct x86_pci *pci = kzalloc(sizeof(*pci));
	if (!pci)
		return -ENOMEM;
	pci->vm = vm;
	put16(pci->bridge + 0x00, 0x1b36);  /* vendor: Red Hat */
	put16(pci->bridge + 0x02, 0x0008);  /* device: PCIe host bridge */
	put16(pci->bridge + 0x06, 0x0000);  /* status */
	pci->bridge[0x0a] = 0x00;           /* subclass: host bridge */
	pci->bridge[0x0b] = 0x06;           /* class: bridge */
	put16(pci->bridge + 0x2c, 0x1af4);  /* subsystem vendor */
	put16(pci->bridge + 0x2e, 0x1100);
	pci->dev = (struct vdev){ "PCI configuration", 0xcf8, 8, &pci_ops, pci };
	struct vdev *conflict;
	int err = vdev_bus_add(&vm->pio_bus, &pci->dev, &conflict);
	if (err < 0)
		kfree(pci);
	return err;
}
