/* SPDX-License-Identifier: Apache-2.0 */
/* The virtio-mmio transport, version 2 (Virtio 1.2, 4.2.2): a device's registers in a window on
 * the VM's MMIO bus (0x200 bytes: registers below 0x100, the device configuration above). Every
 * register is 32 bits wide and must be accessed so (4.2.2.2); the configuration space takes any
 * width (a write goes to the device type: virtio-input selects what its space shows). Anything
 * else reads as zero and is ignored when written. */
#include "vdev/virtio_mmio.h"
#include "vmm/vm.h"
#include "kernel/mm.h"
#include "lib/errno.h"

#define VENDOR_ID 0x54534552 /* "REST" as AxVisor's and QEMU's own IDs are ASCII; any value is valid */

struct virtio_mmio {
	struct vdev dev;
	struct virtio_vdev *v;
};

static uint32_t register_read(struct virtio_vdev *v, unsigned offset)
{
	struct vring *ring = virtio_vdev_selected(v);
	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE: return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION: return 2;
	case VIRTIO_MMIO_DEVICE_ID: return v->device_id;
	case VIRTIO_MMIO_VENDOR_ID: return VENDOR_ID;
	case VIRTIO_MMIO_DEVICE_FEATURES: return virtio_vdev_device_features(v);
	case VIRTIO_MMIO_QUEUE_NUM_MAX: return ring ? VRING_NUM_MAX : 0;
	case VIRTIO_MMIO_QUEUE_READY: return ring ? ring->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS: return v->interrupt_status;
	case VIRTIO_MMIO_STATUS: return v->status;
	case VIRTIO_MMIO_QUEUE_RESET: return 0;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH: return 0xffffffffu; /* no shared memory regions (4.2.2) */
	case VIRTIO_MMIO_CONFIG_GENERATION: return v->config_generation;
	default: return 0;
	}
}

/* The low or high half of a 64-bit ring address, while the queue is not ready (4.2.2.3). */
static void set_half(uint64_t *address, uint32_t value, bool high)
{
	*address = high ? (*address & 0xffffffffull) | (uint64_t)value << 32 : (*address & ~0xffffffffull) | value;
}

static void register_write(struct virtio_vdev *v, unsigned offset, uint32_t value)
{
	struct vring *ring = virtio_vdev_selected(v);
	bool ring_settable = ring && !ring->ready;
	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL: v->device_features_sel = value; break;
	case VIRTIO_MMIO_DRIVER_FEATURES: virtio_vdev_set_driver_features(v, value); break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL: v->driver_features_sel = value; break;
	case VIRTIO_MMIO_QUEUE_SEL: v->queue_sel = value; break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (ring_settable)
			ring->num = value > 0xffff ? 0 : (uint16_t)value; /* vring_enable checks it */
		break;
	case VIRTIO_MMIO_QUEUE_READY: virtio_vdev_queue_ready(v, value & 1); break;
	case VIRTIO_MMIO_QUEUE_NOTIFY: virtio_vdev_notify(v, value & 0xffff); break;
	case VIRTIO_MMIO_INTERRUPT_ACK: virtio_vdev_ack_interrupt(v, value); break;
	case VIRTIO_MMIO_STATUS: virtio_vdev_set_status(v, (uint8_t)value); break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (ring_settable)
			set_half(&ring->desc_gpa, value, offset == VIRTIO_MMIO_QUEUE_DESC_HIGH);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		if (ring_settable)
			set_half(&ring->avail_gpa, value, offset == VIRTIO_MMIO_QUEUE_DRIVER_HIGH);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		if (ring_settable)
			set_half(&ring->used_gpa, value, offset == VIRTIO_MMIO_QUEUE_DEVICE_HIGH);
		break;
	default: break;
	}
}

static int mmio_read(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t *value)
{
	(void)vcpu;
	struct virtio_vdev *v = ((struct virtio_mmio *)dev->priv)->v;
	unsigned long flags = spin_lock_irqsave(v->lock);
	if (offset >= VIRTIO_MMIO_CONFIG)
		*value = virtio_vdev_config_read(v, (unsigned)(offset - VIRTIO_MMIO_CONFIG), width);
	else
		*value = width == 4 && !(offset & 3) ? register_read(v, (unsigned)offset) : 0;
	spin_unlock_irqrestore(v->lock, flags);
	return 0;
}

static int mmio_write(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t value)
{
	(void)vcpu;
	struct virtio_vdev *v = ((struct virtio_mmio *)dev->priv)->v;
	unsigned long flags = spin_lock_irqsave(v->lock);
	if (offset >= VIRTIO_MMIO_CONFIG)
		virtio_vdev_config_write(v, (unsigned)(offset - VIRTIO_MMIO_CONFIG), width, value);
	else if (width == 4 && !(offset & 3))
		register_write(v, (unsigned)offset, (uint32_t)value);
	spin_unlock_irqrestore(v->lock, flags);
	return 0;
}

static void mmio_destroy(struct vdev *dev)
{
	struct virtio_mmio *m = dev->priv;
	virtio_vdev_destroy(m->v);
	kfree(m);
}

static void mmio_reset(struct vdev *dev)
{
	virtio_vdev_reset(((struct virtio_mmio *)dev->priv)->v);
}

static void mmio_report(struct vdev *dev)
{
	virtio_vdev_report(((struct virtio_mmio *)dev->priv)->v);
}

static const struct vdev_ops virtio_mmio_ops = {
	.read = mmio_read,
	.write = mmio_write,
	.destroy = mmio_destroy,
	.reset = mmio_reset,
	.report = mmio_report,
};

struct vdev *virtio_mmio_create(struct virtio_vdev *v, uint64_t base, uint64_t size)
{
	struct virtio_mmio *m = kzalloc(sizeof(*m));
	if (!m)
		return NULL;
	m->v = v;
	m->dev = (struct vdev){ v->name, base, size, &virtio_mmio_ops, m };
	return &m->dev;
}
