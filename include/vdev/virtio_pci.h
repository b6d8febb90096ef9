/* SPDX-License-Identifier: Apache-2.0 */
/* The virtio-pci transport, modern interface (Virtio 1.2, 4.1): puts a virtio device on the VM's PCI
 * bus, its BAR at the config's window and its INTx on the config's interrupt line. */
#ifndef VDEV_VIRTIO_PCI_H
#define VDEV_VIRTIO_PCI_H

#include "vdev/virtio.h"
#include "vmm/vdev.h"

#define VIRTIO_PCI_BAR_MIN 0x4000 /* the four structures, a page each */

/* The BAR's MMIO device (for the VM's MMIO bus); destroying it takes the function off the PCI bus
 * and destroys v. NULL with *why set when the window does not suit a BAR or memory runs out. */
__must_check struct vdev *virtio_pci_create(struct vm *vm, struct virtio_vdev *v, uint64_t bar_address,
					    uint64_t bar_size, unsigned irq, const char **why);

#endif
