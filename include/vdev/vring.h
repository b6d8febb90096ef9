/* SPDX-License-Identifier: Apache-2.0 */
/* The device side of a split virtqueue (Virtio 1.2, 2.7): the driver's rings live in guest memory,
 * which is hostile input. Every index is checked against the queue size, every descriptor is read
 * once into hypervisor memory before it is looked at (the guest may change it meanwhile), every
 * buffer must lie inside guest RAM, and every walk is bounded: a loop, a chain longer than the
 * queue, an indirect table inside an indirect table end the walk with an error naming the fault.
 *
 * Pure code over a guest-memory callback: the hypervisor passes the VM's RAM (vm_guest_ram), the
 * unit tests and the fuzz target a buffer. Not thread-safe: the device serializes its queues. */
#ifndef VDEV_VRING_H
#define VDEV_VRING_H

#include "lib/types.h"

#define VRING_NUM_MAX 256       /* the largest queue a device offers (QueueNumMax) */
#define VRING_SEGMENTS_MAX 256  /* buffers in one chain: virtio-blk's seg_max (254) + header + status */

/* Descriptor flags (2.7.5) and ring flags (2.7.6, 2.7.8). */
#define VRING_DESC_F_NEXT 1u
#define VRING_DESC_F_WRITE 2u
#define VRING_DESC_F_INDIRECT 4u
#define VRING_AVAIL_F_NO_INTERRUPT 1u
#define VRING_USED_F_NO_NOTIFY 1u

/* The host address of guest memory [gpa, gpa + length), contiguous and writable, or NULL when any
 * of it is not the VM's RAM. */
struct vring_memory {
	void *(*map)(void *ctx, uint64_t gpa, uint64_t length);
	void *ctx;
};

struct vring_segment {
	void *host;         /* where the buffer is in hypervisor memory; NULL: outside the VM's RAM */
	uint64_t gpa;
	uint32_t length;
	bool device_writes;
};

/* One request: a descriptor chain, flattened (indirect tables followed), in the driver's order:
 * what the device reads first, then what it writes (2.7.4.2). */
struct vring_chain {
	uint16_t head;          /* the id to return in the used ring */
	uint16_t count;
	uint16_t outside_ram;   /* segments whose buffer is not (wholly) the VM's RAM */
	uint64_t readable;      /* bytes the device may read, and write */
	uint64_t writable;
	struct vring_segment segments[VRING_SEGMENTS_MAX];
};

struct vring_desc;
struct vring_avail;
struct vring_used;

struct vring {
	/* Set by the driver through the transport, before ready. */
	uint16_t num;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	bool ready;
	/* Negotiated features this queue honours. */
	bool event_idx;         /* VIRTIO_F_EVENT_IDX (2.7.7.2, 2.7.10) */
	bool indirect;          /* VIRTIO_F_INDIRECT_DESC (2.7.5.3) */
	/* Device state. */
	uint16_t last_avail;    /* the next available-ring entry to take */
	uint16_t used_idx;      /* the used ring's idx as the device last published it */
	uint16_t signalled;     /* used_idx at the last interrupt (EVENT_IDX) */
	volatile struct vring_desc *desc;   /* the rings in hypervisor memory, set by vring_enable */
	volatile struct vring_avail *avail;
	volatile struct vring_used *used;
};

/* Back to the state before the driver set anything up (device reset, 2.4). */
void vring_reset(struct vring *ring);

/* Checks the driver's setup (num a power of two up to VRING_NUM_MAX, each ring aligned (2.7) and
 * inside guest RAM) and makes the queue live. 0, or -EINVAL with *why saying what was wrong. */
__must_check int vring_enable(struct vring *ring, const struct vring_memory *memory, const char **why);

/* Takes the next available chain into *chain. 1: a chain; 0: nothing available; -EINVAL: the ring
 * is broken (*why says how; the device should ask for a reset and leave the queue alone).
 * A chain whose buffers lie outside RAM is returned with outside_ram set: the device fails that
 * request and goes on. */
__must_check int vring_pop(struct vring *ring, const struct vring_memory *memory, struct vring_chain *chain,
			   const char **why);

/* Returns a chain to the driver, `written` bytes written into its buffers (2.7.8). */
void vring_push(struct vring *ring, uint16_t head, uint32_t written);

/* After the pushes of one round: whether the driver wants an interrupt for them (2.7.7: its
 * NO_INTERRUPT flag, or with EVENT_IDX its used_event). With EVENT_IDX it also tells the driver
 * which available index to notify at next (avail_event = the next entry the device will take). */
bool vring_should_interrupt(struct vring *ring);

/* Whether the driver has made more chains available than the device has taken. */
bool vring_has_available(const struct vring *ring);

/* Copies between a chain's buffers and hypervisor memory, as one byte stream over its readable
 * (vring_chain_read) or writable (vring_chain_write) segments starting `offset` bytes in. Returns
 * the bytes copied (short when the segments end first or one is outside RAM). */
uint64_t vring_chain_read(const struct vring_chain *chain, uint64_t offset, void *to, uint64_t length);
uint64_t vring_chain_write(const struct vring_chain *chain, uint64_t offset, const void *from, uint64_t length);
/* Copies `length` bytes from one chain's readable buffers (from `from_offset`) straight into
 * another's writable ones (from `to_offset`), as the two streams above; returns the bytes copied. */
uint64_t vring_chain_copy(const struct vring_chain *to, uint64_t to_offset, const struct vring_chain *from,
			  uint64_t from_offset, uint64_t length);

#endif
