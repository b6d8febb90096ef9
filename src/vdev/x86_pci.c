/* SPDX-License-Identifier: Apache-2.0 */
/* PCI configuration mechanism #1 (PCI Local Bus Specification 3.0, 3.2.2.3.2) at ports 0xcf8-0xcff
 * onto the VM's bus 0 (vmm/pci_bus.h): a host bridge at 00:00.0 (class 06/00; Red Hat's id 1b36:0008,
 * "PCIe host bridge", which Linux drives with no quirks) and the VM's PCI devices (virtio-pci) in
 * the slots after it. Every other bus and function reads as absent (all ones).
 * The byte port 0xcf9 inside the window is the reset control register (bit 2, RST_CPU), as on
 * Intel chipsets, so it lives here too: only a dword access at 0xcf8 is CONFIG_ADDRESS. */
#include "vdev/x86_pc.h"
#include "vmm/pci_bus.h"
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
	struct pci_function bridge;
};

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

/* The slot CONFIG_ADDRESS selects on bus 0, function 0, or -1 (disabled, another bus or function). */
static int selected_slot(uint32_t address)
{
	if (!(address & CONFIG_ENABLE) || (address & 0x00ff0700u))
		return -1;
	return (int)((address >> 11) & 0x1f);
}

static int pci_read(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t *value)
{
	struct x86_pci *pci = dev->priv;
	unsigned long flags = spin_lock_irqsave(&pci->lock);
	if (offset == 0 && width == 4) {
		*value = pci->address;
	} else if (offset >= 4) {
		unsigned reg = (pci->address & 0xfc) + (unsigned)(offset - 4);
		int slot = selected_slot(pci->address);
		*value = slot < 0 ? (width >= 4 ? 0xffffffffu : (1u << (8 * width)) - 1)
				  : pci_config_read(&pci->vm->pci, (unsigned)slot, reg, width);
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
			vm_request_guest_reset(pci->vm, "port 0xcf9");
		}
		return 0;
	}
	unsigned long flags = spin_lock_irqsave(&pci->lock);
	if (offset == 0 && width == 4) {
		pci->address = (uint32_t)value & 0x80fffffcu;
	} else if (offset >= 4 && selected_slot(pci->address) >= 0) {
		unsigned reg = (pci->address & 0xfc) + (unsigned)(offset - 4);
		pci_config_write(&pci->vm->pci, (unsigned)selected_slot(pci->address), reg, width, (uint32_t)value);
	}
	spin_unlock_irqrestore(&pci->lock, flags);
	return 0;
}

static void pci_destroy(struct vdev *dev)
{
	struct x86_pci *pci = dev->priv;
	pci_bus_remove(&pci->vm->pci, &pci->bridge);
	kfree(pci);
}

static const struct vdev_ops pci_ops = { .read = pci_read, .write = pci_write, .destroy = pci_destroy };

int x86_pci_create(struct vm *vm)
{
	struct x86_pci *pci = kzalloc(sizeof(*pci));
	if (!pci)
		return -ENOMEM;
	pci->vm = vm;
	uint8_t *bridge = pci->bridge.config;
	put16(bridge + PCI_VENDOR_ID, 0x1b36);  /* Red Hat */
	put16(bridge + PCI_DEVICE_ID, 0x0008);  /* PCIe host bridge */
	bridge[PCI_SUBCLASS] = 0x00;           /* host bridge */
	bridge[PCI_CLASS] = 0x06;              /* bridge */
	put16(bridge + PCI_SUBSYSTEM_VENDOR_ID, 0x1af4);
	put16(bridge + PCI_SUBSYSTEM_ID, 0x1100);
	if (vm->pci.slots[0]) {
		kfree(pci);
		return -EEXIST;
	}
	vm->pci.slots[0] = &pci->bridge;
	pci->dev = (struct vdev){ "PCI configuration", 0xcf8, 8, &pci_ops, pci };
	struct vdev *conflict;
	int err = vdev_bus_add(&vm->pio_bus, &pci->dev, &conflict);
	if (err < 0) {
		vm->pci.slots[0] = NULL;
		kfree(pci);
	}
	return err;
}
