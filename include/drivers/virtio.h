/* SPDX-License-Identifier: Apache-2.0 */
/* Virtio devices (Virtio spec 1.1, OASIS, 2019): one struct virtio_device over a transport
 * (virtio_mmio.c on device-tree machines, virtio_pci.c on PCI ones), split virtqueues used
 * synchronously and polled (virtqueue.c), and device drivers on top (virtio_blk.c). Only modern
 * (1.x) devices are driven: VIRTIO_F_VERSION_1 is required. Boot-time use from one CPU. */
#ifndef DRIVERS_VIRTIO_H
#define DRIVERS_VIRTIO_H

#include "lib/types.h"
#include "lib/virtio_spec.h"

struct virtio_device;

struct virtio_transport_ops {
	uint64_t (*get_features)(struct virtio_device *dev);
	void (*set_features)(struct virtio_device *dev, uint64_t features);
	uint8_t (*get_status)(struct virtio_device *dev);
	void (*set_status)(struct virtio_device *dev, uint8_t status);
	uint32_t (*read_config32)(struct virtio_device *dev, unsigned offset);
	/* Largest size of queue `index` (0: the queue does not exist). */
	uint16_t (*queue_max)(struct virtio_device *dev, unsigned index);
	/* Gives the device the rings of queue `index` and enables it. */
	__must_check int (*queue_enable)(struct virtio_device *dev, unsigned index, uint16_t size,
					 paddr_t desc, paddr_t avail, paddr_t used);
	void (*queue_notify)(struct virtio_device *dev, unsigned index);
};

struct virtio_device {
	const struct virtio_transport_ops *ops;
	char name[40];        /* "virtio-mmio@0xa003e00", "virtio-pci 00:03.0" */
	uint32_t device_id;
	uintptr_t regs;       /* transport registers (mmio) or the common config (pci) */
	uint64_t regs_size;   /* mmio: the window's size from the device tree; pci: 0 */
	uintptr_t notify;     /* pci: notify region base */
	uint32_t notify_multiplier;
	uintptr_t device_config;
	uint16_t notify_offset[4]; /* pci: per queue, read when it is set up */
};

/* Finds the device with `device_id` that comes after `skip` others like it on this machine's
 * transport (device-tree order, PCI slot order); fills `dev`. -ENODEV when there is none.
 * Implemented by the transport the build selects. */
__must_check int virtio_find_device(uint32_t device_id, unsigned skip, struct virtio_device *dev);

/* Reset, ACKNOWLEDGE, DRIVER, feature negotiation (VERSION_1 and what of `wanted` is offered),
 * FEATURES_OK (spec 3.1.1). Returns 0 with *accepted set, or a negative error with the device
 * marked FAILED. */
__must_check int virtio_negotiate(struct virtio_device *dev, uint64_t wanted, uint64_t *accepted);

/* A split virtqueue (spec 2.6) with one request in flight at a time. */
#define VIRTQUEUE_INDIRECT_MAX (PAGE_SIZE / 16) /* buffers in an indirect table: one page of descriptors */
struct virtqueue {
	struct virtio_device *dev;
	unsigned index;
	uint16_t size;
	uint16_t next_avail;
	uint16_t last_used;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	struct virtq_desc *indirect; /* the request's indirect table (a page), or NULL: chains in the ring */
};

struct virtqueue_buffer {
	void *data;             /* hypervisor memory (identity mapped, so also its physical address) */
	uint32_t length;
	bool device_writes;
};

/* Sets up queue `index`; `indirect`: VIRTIO_F_INDIRECT_DESC was negotiated, requests go through
 * an indirect table. */
__must_check int virtqueue_setup(struct virtqueue *vq, struct virtio_device *dev, unsigned index,
				 bool indirect);
/* Buffers one request may have: the indirect table's, or the queue's size. */
unsigned virtqueue_buffers_max(const struct virtqueue *vq);
/* Posts one descriptor chain, notifies and polls for its completion for at most timeout_ns.
 * Returns 0, -ETIMEDOUT or -EIO. */
__must_check int virtqueue_transfer(struct virtqueue *vq, const struct virtqueue_buffer *buffers,
				    unsigned count, uint64_t timeout_ns);

#endif
