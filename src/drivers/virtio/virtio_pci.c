/* SPDX-License-Identifier: Apache-2.0 */
/* Virtio over PCI (Virtio spec 1.1, 4.1), modern interface only: the device's vendor-specific
 * capabilities locate the common configuration, notification and device configuration structures
 * in its BARs (4.1.4). Devices are found by scanning bus 0 through the legacy configuration
 * mechanism at ports 0xCF8/0xCFC (PCI Local Bus spec 3.0, 3.2.2.3.2), which q35 keeps; the firmware
 * has assigned the BARs. A BAR above what the hypervisor maps (the low 4 GiB) is mapped here. */
#include "arch/boot.h"
#include "arch_impl/io.h"
#include "drivers/virtio.h"
#include "kernel/log.h"
#include "lib/errno.h"
#include "lib/format.h"

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA 0xcfc
#define PCI_VENDOR_VIRTIO 0x1af4
#define PCI_DEVICE_MODERN_BASE 0x1040 /* + virtio device id (4.1.2.1) */
#define PCI_COMMAND 0x04
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_BUS_MASTER 0x4
#define PCI_STATUS_CAPABILITIES 0x10
#define PCI_CAPABILITY_POINTER 0x34
#define PCI_CAP_VENDOR 0x09
#define VIRTIO_PCI_CAP_COMMON 1
#define VIRTIO_PCI_CAP_NOTIFY 2
#define VIRTIO_PCI_CAP_DEVICE 4
#define FOUR_GIB (1ull << 32)

/* Common configuration structure offsets (4.1.4.3). */
#define COMMON_DEVICE_FEATURE_SELECT 0x00
#define COMMON_DEVICE_FEATURE 0x04
#define COMMON_DRIVER_FEATURE_SELECT 0x08
#define COMMON_DRIVER_FEATURE 0x0c
#define COMMON_DEVICE_STATUS 0x14
#define COMMON_QUEUE_SELECT 0x16
#define COMMON_QUEUE_SIZE 0x18
#define COMMON_QUEUE_ENABLE 0x1c
#define COMMON_QUEUE_NOTIFY_OFF 0x1e
#define COMMON_QUEUE_DESC 0x20
#define COMMON_QUEUE_DRIVER 0x28
#define COMMON_QUEUE_DEVICE 0x30

static uint32_t config_read32(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	outl(PCI_CONFIG_ADDRESS, 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc));
	return inl(PCI_CONFIG_DATA);
}

static void config_write32(unsigned bus, unsigned dev, unsigned fn, unsigned reg, uint32_t value)
{
	outl(PCI_CONFIG_ADDRESS, 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc));
	outl(PCI_CONFIG_DATA, value);
}

/* NOLINTNEXTLINE(bugprone-macro-parentheses): `type` is a type name, which cannot be parenthesised */
#define COMMON(dev, off, type) (*(volatile type *)((dev)->regs + (off)))

static uint64_t pci_get_features(struct virtio_device *dev)
{
	COMMON(dev, COMMON_DEVICE_FEATURE_SELECT, uint32_t) = 0;
	uint64_t low = COMMON(dev, COMMON_DEVICE_FEATURE, uint32_t);
	COMMON(dev, COMMON_DEVICE_FEATURE_SELECT, uint32_t) = 1;
	return low | (uint64_t)COMMON(dev, COMMON_DEVICE_FEATURE, uint32_t) << 32;
}

static void pci_set_features(struct virtio_device *dev, uint64_t features)
{
	COMMON(dev, COMMON_DRIVER_FEATURE_SELECT, uint32_t) = 0;
	COMMON(dev, COMMON_DRIVER_FEATURE, uint32_t) = (uint32_t)features;
	COMMON(dev, COMMON_DRIVER_FEATURE_SELECT, uint32_t) = 1;
	COMMON(dev, COMMON_DRIVER_FEATURE, uint32_t) = (uint32_t)(features >> 32);
}

static uint8_t pci_get_status(struct virtio_device *dev) { return COMMON(dev, COMMON_DEVICE_STATUS, uint8_t); }
static void pci_set_status(struct virtio_device *dev, uint8_t status) { COMMON(dev, COMMON_DEVICE_STATUS, uint8_t) = status; }

static uint32_t pci_read_config32(struct virtio_device *dev, unsigned offset)
{
	return *(volatile uint32_t *)(dev->device_config + offset);
}

static uint16_t pci_queue_max(struct virtio_device *dev, unsigned index)
{
	if (index >= 4)
		return 0;
	COMMON(dev, COMMON_QUEUE_SELECT, uint16_t) = (uint16_t)index;
	return COMMON(dev, COMMON_QUEUE_SIZE, uint16_t);
}

static int pci_queue_enable(struct virtio_device *dev, unsigned index, uint16_t size, paddr_t desc, paddr_t avail,
			    paddr_t used)
{
	COMMON(dev, COMMON_QUEUE_SELECT, uint16_t) = (uint16_t)index;
	COMMON(dev, COMMON_QUEUE_SIZE, uint16_t) = size;
	COMMON(dev, COMMON_QUEUE_DESC, uint32_t) = (uint32_t)desc;
	COMMON(dev, COMMON_QUEUE_DESC + 4, uint32_t) = (uint32_t)(desc >> 32);
	COMMON(dev, COMMON_QUEUE_DRIVER, uint32_t) = (uint32_t)avail;
	COMMON(dev, COMMON_QUEUE_DRIVER + 4, uint32_t) = (uint32_t)(avail >> 32);
	COMMON(dev, COMMON_QUEUE_DEVICE, uint32_t) = (uint32_t)used;
	COMMON(dev, COMMON_QUEUE_DEVICE + 4, uint32_t) = (uint32_t)(used >> 32);
	dev->notify_offset[index] = COMMON(dev, COMMON_QUEUE_NOTIFY_OFF, uint16_t);
	COMMON(dev, COMMON_QUEUE_ENABLE, uint16_t) = 1;
	return 0;
}

static void pci_queue_notify(struct virtio_device *dev, unsigned index)
{
	/* 4.1.4.4: the queue's notification address is its notify_off times the multiplier. */
	*(volatile uint16_t *)(dev->notify + (uintptr_t)dev->notify_offset[index] * dev->notify_multiplier) =
		(uint16_t)index;
}

static const struct virtio_transport_ops pci_ops = {
	.get_features = pci_get_features,
	.set_features = pci_set_features,
	.get_status = pci_get_status,
	.set_status = pci_set_status,
	.read_config32 = pci_read_config32,
	.queue_max = pci_queue_max,
	.queue_enable = pci_queue_enable,
	.queue_notify = pci_queue_notify,
};

/* The address of BAR `bar` (memory BARs, 32 or 64 bit), mapped for at least `span` bytes; 0 when it
 * is unassigned or an I/O BAR. */
static uintptr_t bar_address(unsigned bus, unsigned dev, unsigned fn, unsigned bar, uint64_t span)
{
	if (bar > 5)
		return 0;
	uint32_t low = config_read32(bus, dev, fn, 0x10 + 4 * bar);
	if (low & 1)
		return 0;
	uint64_t address = low & ~0xfull;
	if (((low >> 1) & 3) == 2 && bar < 5)
		address |= (uint64_t)config_read32(bus, dev, fn, 0x14 + 4 * bar) << 32;
	if (address == 0)
		return 0;
	if (address + span > FOUR_GIB &&
	    arch_mmu_map_device(ALIGN_DOWN(address, PAGE_SIZE), ALIGN_UP(address + span, PAGE_SIZE) - ALIGN_DOWN(address, PAGE_SIZE)) < 0)
		return 0;
	return (uintptr_t)address;
}

static int setup_device(unsigned bus, unsigned dev, unsigned fn, struct virtio_device *out)
{
	if (!(config_read32(bus, dev, fn, PCI_COMMAND) >> 16 & PCI_STATUS_CAPABILITIES))
		return -ENODEV;
	unsigned cap = config_read32(bus, dev, fn, PCI_CAPABILITY_POINTER) & 0xfc;
	for (int guard = 0; cap && guard < 48; guard++) {
		uint32_t header = config_read32(bus, dev, fn, cap);
		if ((header & 0xff) == PCI_CAP_VENDOR) {
			unsigned type = header >> 24 & 0xff;
			unsigned bar = config_read32(bus, dev, fn, cap + 4) & 0xff;
			uint32_t offset = config_read32(bus, dev, fn, cap + 8);
			uint32_t length = config_read32(bus, dev, fn, cap + 12);
			uintptr_t base = 0;
			if (type == VIRTIO_PCI_CAP_COMMON || type == VIRTIO_PCI_CAP_NOTIFY || type == VIRTIO_PCI_CAP_DEVICE)
				base = bar_address(bus, dev, fn, bar, (uint64_t)offset + length);
			if (base && type == VIRTIO_PCI_CAP_COMMON && !out->regs)
				out->regs = base + offset;
			if (base && type == VIRTIO_PCI_CAP_NOTIFY && !out->notify) {
				out->notify = base + offset;
				out->notify_multiplier = config_read32(bus, dev, fn, cap + 16);
			}
			if (base && type == VIRTIO_PCI_CAP_DEVICE && !out->device_config)
				out->device_config = base + offset;
		}
		cap = header >> 8 & 0xfc;
	}
	if (!out->regs || !out->notify || !out->device_config) {
		log_warn("%s: skipped: no modern virtio capabilities with assigned BARs", out->name);
		return -ENODEV;
	}
	uint32_t command = config_read32(bus, dev, fn, PCI_COMMAND);
	config_write32(bus, dev, fn, PCI_COMMAND, (command & 0xffff) | PCI_COMMAND_MEMORY | PCI_COMMAND_BUS_MASTER);
	return 0;
}

int virtio_find_device(uint32_t device_id, unsigned skip, struct virtio_device *out)
{
	for (unsigned dev = 0; dev < 32; dev++) {
		for (unsigned fn = 0; fn < 8; fn++) {
			uint32_t id = config_read32(0, dev, fn, 0);
			if ((id & 0xffff) == 0xffff) {
				if (fn == 0)
					break;
				continue;
			}
			uint32_t pci_device = id >> 16;
			/* Transitional devices (0x1000..0x103f) carry the virtio id as subsystem id (4.1.2.1). */
			uint32_t virtio_id = pci_device >= PCI_DEVICE_MODERN_BASE ? pci_device - PCI_DEVICE_MODERN_BASE
										 : config_read32(0, dev, fn, 0x2c) >> 16;
			if ((id & 0xffff) != PCI_VENDOR_VIRTIO || virtio_id != device_id)
				continue;
			*out = (struct virtio_device){ .ops = &pci_ops, .device_id = device_id };
			format_snprintf(out->name, sizeof(out->name), "virtio-pci 00:%02x.%u", dev, fn);
			if (setup_device(0, dev, fn, out) == 0 && skip-- == 0)
				return 0;
		}
	}
	return -ENODEV;
}
