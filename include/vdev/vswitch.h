/* SPDX-License-Identifier: Apache-2.0 */
/* A learning Ethernet switch inside the hypervisor: the segment the VMs' NICs (virtio-net) are
 * ports of. A frame goes to the port that last sent from its destination MAC, or, for broadcast,
 * multicast and MACs not yet learned, to every other port of the segment (IEEE 802.1D's
 * forwarding, without spanning tree: a segment is one switch, no loops). VMs on different
 * segments never see each other's frames.
 *
 * The switch holds no frames and copies nothing itself: the sending port hands it a frame still in
 * its guest's buffers, and each receiving port copies it straight into its own guest's buffers. A
 * receiver with no free buffer drops the frame (counted at that port): its queue is the guest's
 * own receive ring, bounded by the ring's size, and a guest that never empties it loses only its
 * own frames. Broadcast and multicast are also limited per sending port (storm control, as real
 * switches do it): a token bucket, so that a guest flooding them loses its own excess and leaves
 * the others' receive rings for their traffic.
 *
 * One lock per segment: a port's device state and every delivery into it are under it (the NICs
 * of a segment use it as their device lock, vdev/virtio.h), so a sender fills a receiver's
 * buffers with no second lock and no order between locks to get wrong. */
#ifndef VDEV_VSWITCH_H
#define VDEV_VSWITCH_H

#include "lib/types.h"
#include "kernel/spinlock.h"

#define ETH_ALEN 6
#define VSWITCH_NAME_MAX 16      /* a segment's name, with its terminator */
#define VSWITCH_PORTS_MAX 16     /* ports on one segment (virtio_net.c says 16 in its message) */
#define VSWITCH_SEGMENTS_MAX 8   /* segments in the hypervisor */
#define VSWITCH_TABLE_SIZE 64    /* learned MACs per segment (the oldest goes when it is full) */
/* Storm control: broadcast and multicast frames a port may send in a burst, and the rate its
 * allowance refills at afterwards, unless its config sets another rate (then the burst is at most
 * one second's worth). ARP, IPv6 neighbour discovery and DHCP need far less. */
#define VSWITCH_STORM_BURST 256
#define VSWITCH_STORM_PER_SECOND 2000

struct vswitch;
struct vswitch_port;

/* A frame as the sending port hands it over: its addresses (read from its first 12 bytes by the
 * sender), its length, and where it is (the sender's business: the receiving port of the same
 * device type knows how to copy from it). */
struct vswitch_frame {
	uint8_t destination[ETH_ALEN];
	uint8_t source[ETH_ALEN];
	uint32_t length;
	const void *data;
};

struct vswitch_port {
	struct vswitch *segment;
	const char *name;        /* for messages */
	uint8_t mac[ETH_ALEN];   /* the NIC's own address: two ports of a segment never share one */
	/* Under the segment's lock: copies the frame into the port's guest; false when the guest had
	 * no buffer for it (the switch counts the drop). */
	bool (*receive)(struct vswitch_port *port, const struct vswitch_frame *frame);
	void *priv;
	/* Counters, under the segment's lock. */
	uint64_t sent, received;
	uint64_t receive_dropped;   /* for this port, and it had no buffer */
	uint64_t storm_dropped;     /* broadcast/multicast it sent past its allowance */
	/* Storm control: the broadcast/multicast frames a second the port may send (set before
	 * attaching; 0 becomes VSWITCH_STORM_PER_SECOND), and its token bucket (a token is a frame). */
	uint32_t storm_per_second;
	uint64_t storm_tokens, storm_time_ns;
};

/* The storm limit of a port whose config asks for `configured` frames a second (0: none asked). */
static inline uint32_t vswitch_storm_per_second(uint32_t configured)
{
	return configured ? configured : VSWITCH_STORM_PER_SECOND;
}

/* The segment called `name`, made on first use; NULL when VSWITCH_SEGMENTS_MAX are in use.
 * Each vswitch_get is paired with the vswitch_detach of a port or a vswitch_put. */
__must_check struct vswitch *vswitch_get(const char *name);
void vswitch_put(struct vswitch *segment);
const char *vswitch_name(const struct vswitch *segment);
/* The lock the segment's ports share (see above). */
struct spinlock *vswitch_lock(struct vswitch *segment);

/* Connects a port (its receive, name, mac, priv and storm_per_second set) to the segment: -ENOSPC when it has
 * VSWITCH_PORTS_MAX, -EEXIST when another port has its MAC. Detaching forgets the MACs learned on
 * it and gives back the segment's reference. */
__must_check int vswitch_attach(struct vswitch *segment, struct vswitch_port *port);
void vswitch_detach(struct vswitch_port *port);

/* A frame from `port` (under the segment's lock): learns its source, forwards it. Returns the
 * number of ports that took it. */
unsigned vswitch_send(struct vswitch_port *port, const struct vswitch_frame *frame);

#endif
