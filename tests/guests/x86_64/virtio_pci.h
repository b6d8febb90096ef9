/* SPDX-License-Identifier: Apache-2.0 */
/* Finding virtio-pci functions as a driver does, for the x86 test guests that include
 * tests/guests/common/vblk.c (vblk.c, vblkpair.c): bus 0 scanned through configuration mechanism #1
 * (PCI 3.0, 3.2.2.3.2), the vendor capabilities followed to the four structures in BAR 0 (Virtio
 * 1.2, 4.1.4). */
#ifndef TEST_GUEST_VIRTIO_PCI_H
#define TEST_GUEST_VIRTIO_PCI_H

static inline uint32_t pci_read(unsigned slot, unsigned reg)
{
	outl(0xcf8, 0x80000000u | slot << 11 | (reg & 0xfc));
	return inl(0xcfc);
}

/* The structures of the function in `slot` from its capabilities; whether all four were found. */
static inline int find_structures(unsigned slot, struct vblk_dev *d)
{
	uint64_t bar = (pci_read(slot, 0x10) & ~0xfull) | (uint64_t)pci_read(slot, 0x14) << 32;
	unsigned found = 0;
	/* A modern device (Virtio 1.2, 4.1.2.1): revision 1 or more, and Red Hat's subsystem vendor with a
	 * subsystem id of 0x40 or more. */
	uint32_t subsystem = pci_read(slot, 0x2c);
	int modern = (pci_read(slot, 0x08) & 0xff) >= 1 && (subsystem & 0xffff) == 0x1af4 && subsystem >> 16 >= 0x40;
	*d = (struct vblk_dev){ .pci = 1, .identified = modern };
	if (!(pci_read(slot, 0x04) >> 16 & 0x10))
		return 0; /* no capabilities list */
	unsigned at = pci_read(slot, 0x34) & 0xfc;
	for (int guard = 0; at && guard < 48; guard++) {
		uint32_t head = pci_read(slot, at);
		if ((head & 0xff) == 0x09 && (pci_read(slot, at + 4) & 0xff) == 0) { /* vendor cap, BAR 0 */
			uintptr_t where = bar + pci_read(slot, at + 8);
			switch ((head >> 24) & 0xff) {
			case 1: d->common = where; found |= 1; break;
			case 2: d->notify = where; d->notify_multiplier = pci_read(slot, at + 16); found |= 2; break;
			case 3: d->isr = where; found |= 4; break;
			case 4: d->device = where; found |= 8; break;
			}
		}
		at = (head >> 8) & 0xfc;
	}
	return found == 15;
}

/* Up to `max` virtio block functions (vendor 0x1af4, device 0x1042), in slot order. */
static inline unsigned find_virtio_blk(struct vblk_dev *devices, unsigned max)
{
	unsigned count = 0;
	for (unsigned slot = 0; slot < 32 && count < max; slot++)
		if (pci_read(slot, 0) == (0x1042u << 16 | 0x1af4u) && find_structures(slot, &devices[count]))
			count++;
	return count;
}

#endif
