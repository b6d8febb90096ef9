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
	wr(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint64_t low = rd(dev, VIRTIO_MMIO_DEVICE_FEATURES);
	wr(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	return low | (uint64_t)rd(dev, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
}

static void mmio_set_features(struct virtio_device *dev, uint64_t features)
{
	wr(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(dev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	wr(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(dev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
}

static uint8_t mmio_get_status(struct virtio_device *dev) { return (uint8_t)rd(dev, VIRTIO_MMIO_STATUS); }
static void mmio_set_status(struct virtio_device *dev, uint8_t status) { wr(dev, VIRTIO_MMIO_STATUS, status); }
static uint32_t mmio_read_config32(struct virtio_device *dev, unsigned offset) { return rd(dev, VIRTIO_MMIO_CONFIG + offset); }

static uint16_t mmio_queue_max(struct virtio_device *dev, unsigned index)
{
	wr(dev, VIRTIO_MMIO_QUEUE_SEL, index);
	uint32_t max = rd(dev, VIRTIO_MMIO_QUEUE_NUM_MAX);
	return (uint16_t)(max > 0xffff ? 0xffff : max);
}

static int mmio_queue_enable(struct virtio_device *dev, unsigned index, uint16_t size, paddr_t desc, paddr_t avail,
			     paddr_t used)
{
	wr(dev, VIRTIO_MMIO_QUEUE_SEL, index);
	if (rd(dev, VIRTIO_MMIO_QUEUE_READY)) {
		log_error("%s: queue %u is already in use", dev->name, index);
		return -EBUSY;
	}
	wr(dev, VIRTIO_MMIO_QUEUE_NUM, size);
	wr(dev, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(dev, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	wr(dev, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
	wr(dev, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
	wr(dev, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
	wr(dev, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
	wr(dev, VIRTIO_MMIO_QUEUE_READY, 1);
	return 0;
}

static void mmio_queue_notify(struct virtio_device *dev, unsigned index) { wr(dev, VIRTIO_MMIO_QUEUE_NOTIFY, index); }

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

/* Whether the transport at base is a modern device of this id (a legacy one is reported if asked). */
static bool is_device(struct virtio_device *dev, uint64_t base, uint64_t size, uint32_t device_id, bool report)
{
	*dev = (struct virtio_device){ .ops = &mmio_ops, .regs = (uintptr_t)base, .regs_size = size };
	if (rd(dev, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC || rd(dev, VIRTIO_MMIO_DEVICE_ID) != device_id)
		return false;
	format_snprintf(dev->name, sizeof(dev->name), "virtio-mmio@%#llx", (unsigned long long)base);
	uint32_t version = rd(dev, VIRTIO_MMIO_VERSION);
	if (version != 2) {
		if (report)
			log_warn("%s: device %u is a legacy (version %u) transport, skipped: QEMU needs "
				 "-global virtio-mmio.force-legacy=false", dev->name, device_id, version);
		return false;
	}
	dev->device_id = device_id;
	return true;
}

/* The tree's available "virtio,mmio" transports, lowest address first, found in one walk of the
 * host's tree the first time a device is looked for (the tree does not change after boot; one
 * walk per transport, each finding its node's parent from the root, cost a boot half a million
 * instructions on QEMU virt's 32 transports). */
#define TRANSPORTS_MAX 64
#define TREE_DEPTH_MAX 16
static struct transport {
	uint64_t base, size;
} transports[TRANSPORTS_MAX];
static unsigned transport_count;
static bool transports_found;

static void add_transport(uint64_t base, uint64_t size)
{
	if (transport_count == TRANSPORTS_MAX) {
		log_warn("virtio-mmio: more than %u transports in the device tree: the rest are not used", TRANSPORTS_MAX);
		return;
	}
	unsigned at = transport_count++;
	for (; at > 0 && transports[at - 1].base > base; at--)
		transports[at] = transports[at - 1];
	transports[at] = (struct transport){ base, size };
}

static void find_transports(const void *fdt)
{
	transports_found = true;
	int ancestors[TREE_DEPTH_MAX]; /* ancestors[d]: the node at depth d on the way to the current one */
	int depth = 0;
	for (int node = fdt_next_node(fdt, -1, NULL); node >= 0 && depth < TREE_DEPTH_MAX;) {
		ancestors[depth] = node;
		if (depth > 0 && fdt_node_is_compatible(fdt, node, "virtio,mmio") && fdt_node_is_available(fdt, node)) {
			/* fdt_translate_reg_with wants the parent first, the root last. */
			int up[TREE_DEPTH_MAX];
			for (int k = 0; k < depth; k++)
				up[k] = ancestors[depth - 1 - k];
			uint64_t base, size;
			if (fdt_translate_reg_with(fdt, node, up, depth, 0, &base, &size) == 0 && size >= 0x200)
				add_transport(base, size);
		}
		int moved = 0;
		node = fdt_next_node(fdt, node, &moved);
		depth += moved;
		if (depth < 0)
			break;
	}
}

/* Devices are counted by address, lowest first, whatever order the device tree lists them in
 * (QEMU's arm and riscv virt machines list their transports in opposite orders): the n-th device
 * is the one with n devices of its kind below it. */
int virtio_find_device(uint32_t device_id, unsigned skip, struct virtio_device *dev)
{
	const void *fdt = platform_boot_info ? platform_boot_info->fdt : NULL;
	if (!fdt)
		return -ENODEV;
	if (!transports_found)
		find_transports(fdt);
	for (unsigned i = 0; i < transport_count; i++)
		if (is_device(dev, transports[i].base, transports[i].size, device_id, true) && skip-- == 0)
			return 0;
	return -ENODEV;
}
