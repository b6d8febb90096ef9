/* SPDX-License-Identifier: Apache-2.0 */
/* Virtio devices for guests (Virtio 1.2): what every device has whatever its transport (status,
 * feature negotiation, virtqueues, interrupt causes, the DEVICE_NEEDS_RESET answer to a driver
 * that breaks the rules), in struct virtio_vdev; the transports (virtio_mmio.c; virtio-pci on
 * x86) map their registers onto it, and the device types (virtio_blk.c) implement its ops.
 *
 * Requests are served when the driver notifies, by the notifying vCPU, under the device's lock:
 * a device is one queue of work whichever vCPU kicks it (a NIC's lock is its switch segment's, so
 * a sender fills a receiver's buffers under it). Only modern devices: VIRTIO_F_VERSION_1
 * is always offered and must be accepted. */
#ifndef VDEV_VIRTIO_H
#define VDEV_VIRTIO_H

#include "lib/types.h"
#include "lib/virtio_spec.h"
#include "kernel/spinlock.h"
#include "vdev/vring.h"
#include "vmm/ram_window.h"

#define VIRTIO_VDEV_QUEUES_MAX 4
/* The cause virtio_vdev.send_message is given for a configuration change (a queue's is its index). */
#define VIRTIO_VDEV_CONFIG_CHANGE VIRTIO_VDEV_QUEUES_MAX

struct vm;
struct virtio_vdev;

struct virtio_vdev_ops {
	/* Serves what the driver made available on queue `index` (ready, DRIVER_OK). */
	void (*queue_notify)(struct virtio_vdev *v, unsigned index);
	/* Reads `width` bytes of the device configuration space at `offset` (in bounds). */
	uint64_t (*config_read)(struct virtio_vdev *v, unsigned offset, unsigned width);
	unsigned config_size;
	/* Optional: writes `width` bytes at `offset` (in bounds); NULL: the space is read-only. */
	void (*config_write)(struct virtio_vdev *v, unsigned offset, unsigned width, uint64_t value);
	/* Optional: forgets what the type held for the driver, when the device resets (2.4). */
	void (*reset)(struct virtio_vdev *v);
	/* Optional: logs the type's own counters after the device's (virtio_vdev_report). */
	void (*report)(struct virtio_vdev *v);
	/* Frees what the device type holds (its backend stays its owner's). */
	void (*destroy)(struct virtio_vdev *v);
};

struct virtio_vdev {
	struct vm *vm;
	const char *name;               /* the config's name for it, for messages */
	uint32_t device_id;
	unsigned irq;                   /* the VM's interrupt line it raises */
	const struct virtio_vdev_ops *ops;
	void *priv;
	/* Every register access and every request: own_lock, or one the device type shares with
	 * others (the NICs of one switch segment share the switch's, vmm/vswitch.h). */
	struct spinlock *lock;
	struct spinlock own_lock;
	uint64_t device_features;       /* offered: VERSION_1 | INDIRECT_DESC | EVENT_IDX | the type's */
	uint64_t driver_features;       /* written by the driver */
	uint32_t device_features_sel, driver_features_sel;
	uint8_t status;
	uint32_t interrupt_status;      /* VIRTIO_INTERRUPT_* not yet acknowledged */
	uint32_t config_generation;
	unsigned queue_count;
	unsigned queue_sel;
	struct vring queues[VIRTIO_VDEV_QUEUES_MAX];
	struct vring_memory memory;     /* the VM's RAM */
	struct vm_ram_window ram_window; /* the last present RAM it mapped, kept until a reset */
	unsigned faults_logged;         /* rate limit of the misbehaving-driver log lines */
	const char *fault;              /* why the device last asked for a reset (NULL: it has not) */
	uint64_t requests, notifies, interrupts; /* counters, for the log and the benchmarks */
	/* A transport that signals by message (virtio-pci's MSI-X) sets these: while `messages` is
	 * true the line stays low and each interrupt is send_message(v, its queue's index, or
	 * VIRTIO_VDEV_CONFIG_CHANGE) instead (Virtio 1.2, 4.1.4.5: no ISR queue bit either). */
	bool messages;
	void (*send_message)(struct virtio_vdev *v, unsigned cause);
	void *transport;
};

/* Fills in the common part; the device type then sets its feature bits and queue count. */
void virtio_vdev_init(struct virtio_vdev *v, struct vm *vm, const char *name, uint32_t device_id, unsigned irq,
		      unsigned queue_count, uint64_t type_features, const struct virtio_vdev_ops *ops, void *priv);

/* For the transports' device ops: the VM resets (takes v->lock), and the device goes. */
void virtio_vdev_reset(struct virtio_vdev *v);
void virtio_vdev_destroy(struct virtio_vdev *v);

/* Register-level operations the transports call, under v->lock. */
uint32_t virtio_vdev_device_features(struct virtio_vdev *v);      /* the 32 bits device_features_sel picks */
void virtio_vdev_set_driver_features(struct virtio_vdev *v, uint32_t value);
void virtio_vdev_set_status(struct virtio_vdev *v, uint8_t status);
void virtio_vdev_queue_ready(struct virtio_vdev *v, bool ready);  /* of queue_sel */
void virtio_vdev_notify(struct virtio_vdev *v, unsigned index);
void virtio_vdev_ack_interrupt(struct virtio_vdev *v, uint32_t causes);
/* The transport turned its messages on or off (virtio_vdev.messages): the line follows. */
void virtio_vdev_set_messages(struct virtio_vdev *v, bool on);
/* Whether the device may use queue `index` now: the driver is running it (DRIVER_OK, the queue
 * ready) and has not been told to reset. For buffers the device fills unasked (received frames,
 * typed input), when no notify of that queue brought it there. */
bool virtio_vdev_queue_live(const struct virtio_vdev *v, unsigned index);
/* The selected queue, or NULL when queue_sel names none. */
struct vring *virtio_vdev_selected(struct virtio_vdev *v);
/* Logs the device's counters (requests, notifies, interrupts): one info line, for the benchmarks. */
void virtio_vdev_report(struct virtio_vdev *v);
/* Device configuration reads: out of bounds read as zero. */
uint64_t virtio_vdev_config_read(struct virtio_vdev *v, unsigned offset, unsigned width);
/* Device configuration writes: out of bounds, or to a type without writable fields, ignored. */
void virtio_vdev_config_write(struct virtio_vdev *v, unsigned offset, unsigned width, uint64_t value);

/* For the device types, under v->lock. */
/* Raises the queue interrupt if the driver wants one for what was just returned on `ring`. */
void virtio_vdev_used(struct virtio_vdev *v, struct vring *ring);
/* The driver broke the rules: DEVICE_NEEDS_RESET, a configuration-change interrupt (2.1.2, 4.2.3.3)
 * and one log line (rate-limited) saying why. Nothing more is served until the driver resets. */
void virtio_vdev_fault(struct virtio_vdev *v, const char *why);
/* What a device does with one chain it took from a queue: the bytes it wrote into the chain's
 * buffers (the used ring's len), or a negative number after virtio_vdev_fault (then the queue is
 * left alone until the reset). */
typedef int64_t (*virtio_serve_fn)(struct virtio_vdev *v, const struct vring_chain *chain, void *ctx);
/* Serves `ring`: takes each available chain into *chain (a broken ring asks for a reset) and has
 * serve() fill it, a queue's worth per round; after each round raises the interrupt if the driver
 * wants it and, since a chain added meanwhile may not have notified (2.7.10), looks again, a few
 * rounds at most, so a driver adding as fast as it is served cannot keep the vCPU here. `more`
 * (NULL: always) says whether the device has anything left to give (a console's held input). */
void virtio_vdev_serve(struct virtio_vdev *v, struct vring *ring, struct vring_chain *chain, virtio_serve_fn serve,
		       bool (*more)(void *ctx), void *ctx);
/* One log line about a request the device failed (rate-limited like faults). */
void virtio_vdev_log_failure(struct virtio_vdev *v, const char *what);

#endif
