/* SPDX-License-Identifier: Apache-2.0 */
/* virtio-net for guests (Virtio 1.2, 5.1), a port of a switch segment: see vdev/virtio_net.h.
 *
 * Queue 0 is receiveq1, queue 1 transmitq1 (5.1.2; no MQ, no control queue). Every buffer starts
 * with struct virtio_net_hdr, 12 bytes with VERSION_1 (5.1.6). No offload is offered, so a driver
 * may set none of its fields (5.1.6.2.1) and the device ignores what it sends there; what the
 * device writes there is zeros and num_buffers 1 (5.1.6.4: without MRG_RXBUF one buffer per
 * frame). All of it runs under the segment's lock, which is the device's (vdev/vswitch.h). */
#include "vdev/virtio_net.h"
#include "vdev/virtio.h"
#include "vmm/vm.h"
#include "kernel/mm.h"
#include "lib/errno.h"
#include "lib/string.h"

#define RECEIVEQ 0
#define TRANSMITQ 1

/* struct virtio_net_config (5.1.4): the fields MAC, STATUS and MTU make valid. */
#define CONFIG_MAC 0
#define CONFIG_STATUS 6
#define CONFIG_MAX_VIRTQUEUE_PAIRS 8
#define CONFIG_MTU 10
#define CONFIG_SIZE 12

struct virtio_net {
	struct virtio_vdev v;
	struct vswitch_port port;
	uint8_t config[CONFIG_SIZE];
	struct vring_chain transmit;   /* the frame being sent */
	struct vring_chain receive;    /* the buffer a frame is being received into */
	uint64_t transmit_errors;      /* frames the guest sent malformed (too short or long, not in RAM) */
};

/* The switch's delivery into this guest: one receive buffer per frame. */
static bool receive_frame(struct vswitch_port *port, const struct vswitch_frame *frame)
{
	struct virtio_net *net = port->priv;
	struct virtio_vdev *v = &net->v;
	struct vring *ring = &v->queues[RECEIVEQ];
	if (!virtio_vdev_queue_live(v, RECEIVEQ))
		return false;
	const char *why;
	int got = vring_pop(ring, &v->memory, &net->receive, &why);
	if (got < 0)
		virtio_vdev_fault(v, why);
	if (got <= 0)
		return false; /* no buffer posted: the guest loses the frame, as a NIC with a full ring does */
	const struct vring_chain *c = &net->receive;
	if (c->readable) {
		virtio_vdev_fault(v, "a device-readable buffer in the receiveq (5.1.6.3.1)");
		return false;
	}
	const uint8_t header[VIRTIO_NET_HDR_BYTES] = { [10] = 1 }; /* num_buffers = 1, little-endian */
	uint32_t written = 0;
	if (c->writable >= VIRTIO_NET_HDR_BYTES + frame->length && !c->outside_ram) {
		vring_chain_write(c, 0, header, sizeof(header));
		written = VIRTIO_NET_HDR_BYTES +
			  (uint32_t)vring_chain_copy(c, VIRTIO_NET_HDR_BYTES, frame->data, VIRTIO_NET_HDR_BYTES, frame->length);
	} else {
		virtio_vdev_log_failure(v, "a receive buffer too small for a frame or outside the VM's RAM: returned empty");
	}
	vring_push(ring, c->head, written);
	virtio_vdev_used(v, ring);
	return written != 0;
}

/* One chain of the transmitq: the header, then the frame. Returns 0 (the device writes nothing
 * into a transmit buffer) or -1 after asking for a reset. */
static int64_t transmit_one(struct virtio_vdev *v, const struct vring_chain *c, void *ctx)
{
	struct virtio_net *net = ctx;
	if (c->writable) {
		virtio_vdev_fault(v, "a device-writable buffer in the transmitq (5.1.6.2)");
		return -1;
	}
	uint64_t length = c->readable - MIN(c->readable, (uint64_t)VIRTIO_NET_HDR_BYTES);
	struct vswitch_frame frame = { .length = (uint32_t)length, .data = c };
	uint8_t addresses[2 * ETH_ALEN];
	if (length < VIRTIO_NET_FRAME_MIN || length > VIRTIO_NET_FRAME_MAX || c->outside_ram ||
	    vring_chain_read(c, VIRTIO_NET_HDR_BYTES, addresses, sizeof(addresses)) != sizeof(addresses)) {
		net->transmit_errors++;
		virtio_vdev_log_failure(v, "a frame shorter than 14 or longer than 1518 bytes, or outside the VM's RAM: "
					   "dropped");
		return 0;
	}
	memcpy(frame.destination, addresses, ETH_ALEN);
	memcpy(frame.source, addresses + ETH_ALEN, ETH_ALEN);
	vswitch_send(&net->port, &frame);
	return 0;
}

static void net_queue_notify(struct virtio_vdev *v, unsigned index)
{
	struct virtio_net *net = v->priv;
	/* A receiveq notify says buffers were posted: the next frame for the guest takes them; the
	 * switch holds nothing meanwhile. */
	if (index == TRANSMITQ)
		virtio_vdev_serve(v, &v->queues[TRANSMITQ], &net->transmit, transmit_one, NULL, net);
}

static uint64_t net_config_read(struct virtio_vdev *v, unsigned offset, unsigned width)
{
	const struct virtio_net *net = v->priv;
	uint64_t value = 0;
	memcpy(&value, net->config + offset, width); /* little-endian fields (5.1.4), a little-endian host */
	return value;
}

static void net_report(struct virtio_vdev *v)
{
	struct virtio_net *net = v->priv;
	unsigned long flags = spin_lock_irqsave(v->lock);
	struct vswitch_port p = net->port;
	uint64_t errors = net->transmit_errors;
	spin_unlock_irqrestore(v->lock, flags);
	vm_log_info(v->vm, "%s: switch %s: %llu frames sent, %llu received, %llu dropped for want of a receive buffer, "
		    "%llu broadcast/multicast over the storm limit, %llu malformed", v->name,
		    p.segment ? vswitch_name(p.segment) : "-", (unsigned long long)p.sent,
		    (unsigned long long)p.received, (unsigned long long)p.receive_dropped,
		    (unsigned long long)p.storm_dropped, (unsigned long long)errors);
}

static void net_destroy(struct virtio_vdev *v)
{
	struct virtio_net *net = v->priv;
	vswitch_detach(&net->port);
	kfree(net);
}

static const struct virtio_vdev_ops net_ops = {
	.queue_notify = net_queue_notify,
	.config_read = net_config_read,
	.config_size = CONFIG_SIZE,
	.report = net_report,
	.destroy = net_destroy,
};

static void put16(uint8_t *at, uint16_t value)
{
	at[0] = (uint8_t)value;
	at[1] = (uint8_t)(value >> 8);
}

struct virtio_vdev *virtio_net_create(struct vm *vm, const char *name, unsigned irq, struct vswitch *segment,
				      const uint8_t mac[ETH_ALEN], uint32_t storm_per_second, const char **why)
{
	struct virtio_net *net = kzalloc(sizeof(*net));
	if (!net) {
		*why = "out of memory";
		return NULL;
	}
	virtio_vdev_init(&net->v, vm, name, VIRTIO_ID_NET, irq, 2,
			 VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS | VIRTIO_NET_F_MTU, &net_ops, net);
	net->v.lock = vswitch_lock(segment);
	memcpy(net->config + CONFIG_MAC, mac, ETH_ALEN);
	put16(net->config + CONFIG_STATUS, VIRTIO_NET_S_LINK_UP);
	put16(net->config + CONFIG_MAX_VIRTQUEUE_PAIRS, 1); /* only valid with MQ; one pair is the truth */
	put16(net->config + CONFIG_MTU, VIRTIO_NET_MTU);
	net->port.name = name;
	memcpy(net->port.mac, mac, ETH_ALEN);
	net->port.storm_per_second = storm_per_second;
	net->port.receive = receive_frame;
	net->port.priv = net;
	int err = vswitch_attach(segment, &net->port);
	if (err < 0) {
		*why = err == -EEXIST ? "another NIC on its switch segment has its MAC"
				      : "its switch segment has no free port (16 at most)";
		kfree(net);
		return NULL;
	}
	return &net->v;
}
