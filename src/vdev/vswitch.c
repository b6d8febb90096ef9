/* SPDX-License-Identifier: Apache-2.0 */
/* The hypervisor's learning Ethernet switch (vdev/vswitch.h). */
#include "vdev/vswitch.h"
#include "kernel/timer.h"
#include "lib/errno.h"
#include "lib/string.h"

#define NS_PER_SECOND 1000000000ull

struct learned {
	uint8_t mac[ETH_ALEN];
	struct vswitch_port *port;  /* NULL: a free entry */
	uint64_t used;              /* the segment's send count when the MAC last sent */
};

struct vswitch {
	char name[VSWITCH_NAME_MAX];
	unsigned users;             /* vswitch_get without its put: 0, the slot is free */
	struct spinlock lock;
	struct vswitch_port *ports[VSWITCH_PORTS_MAX];
	struct learned table[VSWITCH_TABLE_SIZE];
	uint64_t sends;
};

static struct vswitch segments[VSWITCH_SEGMENTS_MAX];
static struct spinlock segments_lock = SPINLOCK_INIT;

struct vswitch *vswitch_get(const char *name)
{
	struct vswitch *found = NULL, *free = NULL;
	unsigned long flags = spin_lock_irqsave(&segments_lock);
	for (unsigned i = 0; i < VSWITCH_SEGMENTS_MAX && !found; i++) {
		if (segments[i].users && strncmp(segments[i].name, name, VSWITCH_NAME_MAX) == 0)
			found = &segments[i];
		else if (!segments[i].users && !free)
			free = &segments[i];
	}
	if (!found && free) {
		memset(free, 0, sizeof(*free));
		memcpy(free->name, name, strnlen(name, VSWITCH_NAME_MAX - 1)); /* vmconfig keeps names shorter */
		found = free;
	}
	if (found)
		found->users++;
	spin_unlock_irqrestore(&segments_lock, flags);
	return found;
}

void vswitch_put(struct vswitch *segment)
{
	unsigned long flags = spin_lock_irqsave(&segments_lock);
	segment->users--;
	spin_unlock_irqrestore(&segments_lock, flags);
}

const char *vswitch_name(const struct vswitch *segment)
{
	return segment->name;
}

struct spinlock *vswitch_lock(struct vswitch *segment)
{
	return &segment->lock;
}

/* A full bucket: VSWITCH_STORM_BURST, or one second's worth of a lower rate. */
static uint64_t storm_burst(const struct vswitch_port *port)
{
	return MIN(port->storm_per_second, (uint64_t)VSWITCH_STORM_BURST);
}

int vswitch_attach(struct vswitch *segment, struct vswitch_port *port)
{
	int err = -ENOSPC;
	unsigned long flags = spin_lock_irqsave(&segment->lock);
	for (unsigned i = 0; i < VSWITCH_PORTS_MAX; i++)
		if (segment->ports[i] && memcmp(segment->ports[i]->mac, port->mac, ETH_ALEN) == 0)
			err = -EEXIST;
	for (unsigned i = 0; i < VSWITCH_PORTS_MAX && err == -ENOSPC; i++) {
		if (!segment->ports[i]) {
			segment->ports[i] = port;
			port->segment = segment;
			port->storm_per_second = vswitch_storm_per_second(port->storm_per_second);
			port->storm_tokens = storm_burst(port);
			port->storm_time_ns = timer_uptime_ns();
			err = 0;
			break;
		}
	}
	spin_unlock_irqrestore(&segment->lock, flags);
	return err;
}

void vswitch_detach(struct vswitch_port *port)
{
	struct vswitch *segment = port->segment;
	if (!segment)
		return;
	unsigned long flags = spin_lock_irqsave(&segment->lock);
	for (unsigned i = 0; i < VSWITCH_PORTS_MAX; i++)
		if (segment->ports[i] == port)
			segment->ports[i] = NULL;
	for (unsigned i = 0; i < VSWITCH_TABLE_SIZE; i++)
		if (segment->table[i].port == port)
			segment->table[i].port = NULL;
	port->segment = NULL;
	spin_unlock_irqrestore(&segment->lock, flags);
	vswitch_put(segment);
}

static bool is_group(const uint8_t *mac)
{
	return mac[0] & 1; /* the I/G bit: broadcast and multicast (IEEE 802-2014, 8.2) */
}

static struct learned *lookup(struct vswitch *segment, const uint8_t *mac)
{
	for (unsigned i = 0; i < VSWITCH_TABLE_SIZE; i++)
		if (segment->table[i].port && memcmp(segment->table[i].mac, mac, ETH_ALEN) == 0)
			return &segment->table[i];
	return NULL;
}

/* The source MAC is on `port` now (a guest may move its address to another NIC); a full table
 * gives up the MAC that has not sent for longest. */
static void learn(struct vswitch *segment, struct vswitch_port *port, const uint8_t *mac)
{
	if (is_group(mac))
		return; /* not a station's address: nothing to learn */
	struct learned *entry = lookup(segment, mac);
	if (!entry) {
		entry = &segment->table[0];
		for (unsigned i = 0; i < VSWITCH_TABLE_SIZE && entry->port; i++)
			if (!segment->table[i].port || segment->table[i].used < entry->used)
				entry = &segment->table[i];
		memcpy(entry->mac, mac, ETH_ALEN);
	}
	entry->port = port;
	entry->used = segment->sends;
}

/* Storm control: whether the port may send one more broadcast or multicast frame now. */
static bool storm_allows(struct vswitch_port *port)
{
	uint64_t now = timer_uptime_ns();
	uint64_t elapsed = MIN(now - port->storm_time_ns, NS_PER_SECOND); /* a full bucket by then */
	uint64_t refill = elapsed * port->storm_per_second / NS_PER_SECOND;
	if (refill) {
		port->storm_tokens = MIN(port->storm_tokens + refill, storm_burst(port));
		port->storm_time_ns = now;
	}
	if (!port->storm_tokens)
		return false;
	port->storm_tokens--;
	return true;
}

static bool deliver(struct vswitch_port *to, const struct vswitch_frame *frame)
{
	if (to->receive(to, frame)) {
		to->received++;
		return true;
	}
	to->receive_dropped++;
	return false;
}

unsigned vswitch_send(struct vswitch_port *port, const struct vswitch_frame *frame)
{
	struct vswitch *segment = port->segment;
	segment->sends++;
	port->sent++;
	learn(segment, port, frame->source);
	if (!is_group(frame->destination)) {
		struct learned *entry = lookup(segment, frame->destination);
		if (entry) /* to a known station: there alone (and not back where it came from) */
			return entry->port != port && deliver(entry->port, frame) ? 1 : 0;
	} else if (!storm_allows(port)) {
		port->storm_dropped++;
		return 0;
	}
	unsigned taken = 0;
	for (unsigned i = 0; i < VSWITCH_PORTS_MAX; i++) {
		struct vswitch_port *to = segment->ports[i];
		if (to && to != port && deliver(to, frame))
			taken++;
	}
	return taken;
}
