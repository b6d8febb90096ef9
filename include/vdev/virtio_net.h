/* SPDX-License-Identifier: Apache-2.0 */
/* A virtio network device for a guest (Virtio 1.2, 5.1): one receive and one transmit queue, a port
 * of a switch segment inside the hypervisor (vdev/vswitch.h). A frame the guest transmits is copied
 * once, from its buffers straight into each receiving guest's, by the transmitting vCPU. Offered:
 * MAC, STATUS (link always up) and MTU (1500); no offloads (checksum, segmentation), no mergeable
 * receive buffers, no control queue: the guest sends and receives whole Ethernet frames of at most
 * 1518 bytes (a VLAN tag allowed) behind the 12-byte header. */
#ifndef VDEV_VIRTIO_NET_H
#define VDEV_VIRTIO_NET_H

#include "lib/types.h"
#include "vdev/vswitch.h"

#define VIRTIO_NET_MTU 1500
#define VIRTIO_NET_FRAME_MAX 1518   /* MTU + Ethernet header + an 802.1Q tag */
#define VIRTIO_NET_FRAME_MIN 14     /* an Ethernet header; the switch pads nothing */

struct vm;
struct virtio_vdev;

/* The device on `segment` (whose reference it takes: destroying the device gives it back) with
 * `mac`, sending at most `storm_per_second` broadcast/multicast frames a second (0: the switch's
 * default, VSWITCH_STORM_PER_SECOND); not yet on a transport. NULL, with *why, when memory runs out, the segment has no free
 * port or another port has the MAC (then the segment's reference is still the caller's). */
__must_check struct virtio_vdev *virtio_net_create(struct vm *vm, const char *name, unsigned irq,
						   struct vswitch *segment, const uint8_t mac[ETH_ALEN],
						   uint32_t storm_per_second, const char **why);

#endif
