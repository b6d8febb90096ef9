/* SPDX-License-Identifier: Apache-2.0 */
/* Virtio over MMIO (Virtio spec 1.1, 4.2), version 2 (modern) register layout. Devices are found in
 * the device tree as "virtio,mmio" nodes (QEMU virt has 32 such transports, most of them empty:
 * device id 0); each is probed for its magic, version and device id. QEMU makes its virtio-mmio
 * devices legacy unless started with -global virtio-mmio.force-legacy=false (scripts/qemu-run.sh
 * does); a legacy transport (version 1) is reported and skipped. */
#include "drivers/virtio.h"
#include "kernel/log.h"
#include "kernel/platform.h"
#include "lib/errno.h"
#include "lib/fdt.h"
#include "lib/format.h"

#define MMIO_MAGIC_VALUE 0x000
#define MMIO_VERSION 0x004
#define MMIO_DEVICE_ID 0x008
#define MMIO_DEVICE_FEATURES 0x010
#define MMIO_DEVICE_FEATURES_SEL 0x014
#define MMIO_DRIVER_FEATURES 0x020
#define MMIO_DRIVER_FEATURES_SEL 0x024
#define MMIO_QUEUE_SEL 0x030
#define MMIO_QUEUE_NUM_MAX 0x034
#define MMIO_QUEUE_NUM 0x038
#define MMIO_QUEUE_READY 0x044
#define MMIO_QUEUE_NOTIFY 0x050
#define MMIO_STATUS 0x070
#define MMIO_QUEUE_DESC_LOW 0x080
#define MMIO_QUEUE_DESC_HIGH 0x084
#define MMIO_QUEUE_DRIVER_LOW 0x090
#define MMIO_QUEUE_DRIVER_HIGH 0x094
#define MMIO_QUEUE_DEVICE_LOW 0x0a0
#define MMIO_QUEUE_DEVICE_HIGH 0x0a4
#define MMIO_CONFIG 0x100
#define MMIO_MAGIC 0x74726976 /* "virt" */

static uint32_t rd(struct virtio_device *dev, unsigned reg)
{
	return *(volatile uint32_t *)(dev->regs + reg);
}

static void wr(struct virtio_device *dev, unsigned reg, uint32_t value)
{
	*(volatile uint32_t *)(dev->regs + reg) = value;
}

static uint64_t mmio_get_features(struct virtio_device *dev)
{
	wr(dev, MMIO_DEVICE_FEATURES_SEL, 0);
	uint64_t low = rd(dev, MMIO_DEVICE_FEATURES);
	wr(dev, MMIO_DEVICE_FEATURES_SEL, 1);
	return low | (uint64_t)rd(dev, MMIO_DEVICE_FEATURES) << 32;
}

static void mmio_set_features(struct virtio_device *dev, uint64_t features)
{
	wr(dev, MMIO_DRIVER_FEATURES_SEL, 0);
	wr(dev, MMIO_DRIVER_FEATURES, (uint32_t)features);
	wr(dev, MMIO_DRIVER_FEATURES_SEL, 1);
	wr(dev, MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
}

static uint8_t mmio_get_status(struct virtio_device *dev) { return (uint8_t)rd(dev, MMIO_STATUS); }
static void mmio_set_status(struct virtio_device *dev, uint8_t status) { wr(dev, MMIO_STATUS, status); }
static uint32_t mmio_read_config32(struct virtio_device *dev, unsigned offset) { return rd(dev, MMIO_CONFIG + offset); }

static uint16_t mmio_queue_max(struct virtio_device *dev, unsigned index)
{
	wr(dev, MMIO_QUEUE_SEL, index);
	uint32_t max = rd(dev, MMIO_QUEUE_NUM_MAX);
	return (uint16_t)(max > 0xffff ? 0xffff : max);
}

static int mmio_queue_enable(struct virtio_device *dev, unsigned index, uint16_t size, paddr_t desc, paddr_t avail,
			     paddr_t used)
{
	wr(dev, MMIO_QUEUE_SEL, index);
	if (rd(dev, MMIO_QUEUE_READY)) {
		log_error("%s: queue %u is already in use", dev->name, index);
		return -EBUSY;
	}
	wr(dev, MMIO_QUEUE_NUM, size);
	wr(dev, MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(dev, MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	wr(dev, MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
	wr(dev, MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
	wr(dev, MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
	wr(dev, MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
	wr(dev, MMIO_QUEUE_READY, 1);
	return 0;
}

static void mmio_queue_notify(struct virtio_device *dev, unsigned index) { wr(dev, MMIO_QUEUE_NOTIFY, index); }

static const struct virtio_transport_ops mmio_ops = {
	.get_features = mmio_get_features,
	.set_features = mmio_set_features,
	.get_status = mmio_get_status,
	.set_status = mmio_set_status,
	.read_config32 = mmio_read_config32,
	.queue_max = mmio_queue_max,
	.queue_enable = mmio_queue_enable,
	.queue_notify = mmio_queue_notify,
};

int virtio_find_device(uint32_t device_id, struct virtio_device *dev)
{
	const void *fdt = platform_boot_info ? platform_boot_info->fdt : NULL;
	if (!fdt)
		return -ENODEV;
	for (int node = fdt_find_compatible(fdt, -1, "virtio,mmio"); node >= 0;
	     node = fdt_find_compatible(fdt, node, "virtio,mmio")) {
		uint64_t base, size;
		if (!fdt_node_is_available(fdt, node) || fdt_get_reg(fdt, node, 0, &base, &size) < 0 || size < 0x200)
			continue;
		*dev = (struct virtio_device){ .ops = &mmio_ops, .regs = (uintptr_t)base, .regs_size = size };
		format_snprintf(dev->name, sizeof(dev->name), "virtio-mmio@%#llx", (unsigned long long)base);
		if (rd(dev, MMIO_MAGIC_VALUE) != MMIO_MAGIC || rd(dev, MMIO_DEVICE_ID) != device_id)
			continue;
		uint32_t version = rd(dev, MMIO_VERSION);
		if (version != 2) {
			log_warn("%s: device %u is a legacy (version %u) transport, skipped: QEMU needs "
				 "-global virtio-mmio.force-legacy=false", dev->name, device_id, version);
			continue;
		}
		dev->device_id = device_id;
		return 0;
	}
	return -ENODEV;
}
