/* SPDX-License-Identifier: Apache-2.0 */
/* The device side of split virtqueues (see vdev/vring.h; Virtio 1.2, 2.7). */
#include "vdev/vring.h"
#include "lib/errno.h"
#include "lib/string.h"

struct vring_desc { /* 2.7.5 */
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail { /* 2.7.6; with EVENT_IDX, used_event follows ring[num] */
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vring_used { /* 2.7.8; with EVENT_IDX, avail_event follows ring[num] */
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];
};

/* The barriers between the driver's stores and the device's loads (2.7.13): the rings are shared
 * with vCPUs on other CPUs. */
#define load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define full_barrier() __atomic_thread_fence(__ATOMIC_SEQ_CST)

void vring_reset(struct vring *ring)
{
	*ring = (struct vring){ 0 };
}

static bool is_power_of_two(uint32_t n)
{
	return n && !(n & (n - 1));
}

int vring_enable(struct vring *ring, const struct vring_memory *memory, const char **why)
{
	uint32_t num = ring->num;
	if (!is_power_of_two(num) || num > VRING_NUM_MAX) {
		*why = "queue size is not a power of two up to the maximum";
		return -EINVAL;
	}
	/* Alignment (2.7, table "Virtqueue Part Alignment"): descriptors 16, available 2, used 4. */
	if ((ring->desc_gpa & 15) || (ring->avail_gpa & 1) || (ring->used_gpa & 3)) {
		*why = "a ring is misaligned";
		return -EINVAL;
	}
	void *desc = memory->map(memory->ctx, ring->desc_gpa, 16ull * num);
	void *avail = memory->map(memory->ctx, ring->avail_gpa, 6 + 2ull * num);
	void *used = memory->map(memory->ctx, ring->used_gpa, 6 + 8ull * num);
	if (!desc || !avail || !used) {
		*why = "a ring is outside the VM's RAM";
		return -EINVAL;
	}
	ring->desc = desc;
	ring->avail = avail;
	ring->used = used;
	ring->last_avail = 0;
	ring->used_idx = 0;
	ring->signalled = 0;
	ring->ready = true;
	return 0;
}

bool vring_has_available(const struct vring *ring)
{
	return ring->ready && load_acquire(&ring->avail->idx) != ring->last_avail;
}

/* One descriptor read once from guest memory: the guest may rewrite it while it is checked. */
static struct vring_desc read_desc(volatile const struct vring_desc *table, uint32_t index)
{
	struct vring_desc d;
	d.addr = table[index].addr;
	d.len = table[index].len;
	d.flags = table[index].flags;
	d.next = table[index].next;
	return d;
}

static int add_segment(struct vring_chain *chain, const struct vring_memory *memory, const struct vring_desc *d,
		       const char **why)
{
	bool writes = d->flags & VRING_DESC_F_WRITE;
	if (!writes && chain->writable) {
		*why = "a device-readable buffer follows a device-writable one";
		return -EINVAL;
	}
	if (chain->count >= VRING_SEGMENTS_MAX) {
		*why = "a chain has more buffers than the device takes";
		return -EINVAL;
	}
	struct vring_segment *s = &chain->segments[chain->count++];
	s->gpa = d->addr;
	s->length = d->len;
	s->device_writes = writes;
	s->host = d->len ? memory->map(memory->ctx, d->addr, d->len) : NULL;
	if (d->len && !s->host)
		chain->outside_ram++;
	if (writes)
		chain->writable += d->len;
	else
		chain->readable += d->len;
	return 0;
}

/* Follows an indirect table (2.7.5.3): one level only, at most num entries, each visited once. */
static int walk_indirect(struct vring *ring, const struct vring_memory *memory, const struct vring_desc *d,
			 struct vring_chain *chain, const char **why)
{
	if (!ring->indirect) {
		*why = "an indirect descriptor without VIRTIO_F_INDIRECT_DESC";
		return -EINVAL;
	}
	if (d->flags & VRING_DESC_F_NEXT) {
		*why = "an indirect descriptor with NEXT set"; /* 2.7.5.3.1 */
		return -EINVAL;
	}
	if (d->len == 0 || d->len % sizeof(struct vring_desc) || d->len / sizeof(struct vring_desc) > ring->num) {
		*why = "an indirect table's length is not a whole number of descriptors up to the queue size";
		return -EINVAL;
	}
	uint32_t entries = d->len / sizeof(struct vring_desc);
	volatile const struct vring_desc *table = memory->map(memory->ctx, d->addr, d->len);
	if (!table) {
		*why = "an indirect table is outside the VM's RAM";
		return -EINVAL;
	}
	uint32_t index = 0;
	for (uint32_t visited = 0;; visited++) {
		if (visited >= entries) {
			*why = "an indirect table's chain loops";
			return -EINVAL;
		}
		struct vring_desc e = read_desc(table, index);
		if (e.flags & VRING_DESC_F_INDIRECT) {
			*why = "an indirect table inside an indirect table";
			return -EINVAL;
		}
		int err = add_segment(chain, memory, &e, why);
		if (err)
			return err;
		if (!(e.flags & VRING_DESC_F_NEXT))
			return 0;
		index = e.next;
		if (index >= entries) {
			*why = "a descriptor's next is past the end of its indirect table";
			return -EINVAL;
		}
	}
}

int vring_pop(struct vring *ring, const struct vring_memory *memory, struct vring_chain *chain, const char **why)
{
	if (!ring->ready)
		return 0;
	uint16_t avail_idx = load_acquire(&ring->avail->idx);
	uint16_t pending = (uint16_t)(avail_idx - ring->last_avail);
	if (pending == 0)
		return 0;
	if (pending > ring->num) {
		*why = "the available index ran more than the queue size ahead";
		return -EINVAL;
	}
	uint16_t head = ring->avail->ring[ring->last_avail & (ring->num - 1)];
	if (head >= ring->num) {
		*why = "an available entry names a descriptor past the queue size";
		return -EINVAL;
	}
	chain->head = head;
	chain->count = 0;
	chain->outside_ram = 0;
	chain->readable = chain->writable = 0;
	uint32_t index = head;
	/* Without a loop a chain in the table visits each descriptor at most once (2.7.5.2: no chain
	 * is longer than the queue). */
	for (uint32_t visited = 0;; visited++) {
		if (visited >= ring->num) {
			*why = "a descriptor chain loops or is longer than the queue";
			return -EINVAL;
		}
		struct vring_desc d = read_desc(ring->desc, index);
		int err;
		if (d.flags & VRING_DESC_F_INDIRECT) {
			/* 2.7.5.3.1: an indirect descriptor is alone in its chain in the table. */
			err = walk_indirect(ring, memory, &d, chain, why);
			if (err)
				return err;
			break;
		}
		err = add_segment(chain, memory, &d, why);
		if (err)
			return err;
		if (!(d.flags & VRING_DESC_F_NEXT))
			break;
		index = d.next;
		if (index >= ring->num) {
			*why = "a descriptor's next is past the queue size";
			return -EINVAL;
		}
	}
	ring->last_avail++;
	return 1;
}

void vring_push(struct vring *ring, uint16_t head, uint32_t written)
{
	volatile struct vring_used_elem *e = &ring->used->ring[ring->used_idx & (ring->num - 1)];
	e->id = head;
	e->len = written;
	ring->used_idx++;
	/* The element before the index that publishes it (2.7.13). */
	store_release(&ring->used->idx, ring->used_idx);
}

bool vring_should_interrupt(struct vring *ring)
{
	if (!ring->ready)
		return false;
	if (ring->event_idx) {
		/* Ask to be notified when the driver adds past what was taken (2.7.10). */
		volatile uint16_t *avail_event = (volatile uint16_t *)&ring->used->ring[ring->num];
		*avail_event = ring->last_avail;
	}
	/* The used index (and avail_event) visible before the driver's flags are read (2.7.7.1). */
	full_barrier();
	if (ring->event_idx) {
		uint16_t used_event = ring->avail->ring[ring->num];
		uint16_t old = ring->signalled, now = ring->used_idx;
		ring->signalled = now;
		/* vring_need_event (2.7.7.2): the driver's event index lies in (old, now]. */
		return (uint16_t)(now - used_event - 1) < (uint16_t)(now - old);
	}
	return !(ring->avail->flags & VRING_AVAIL_F_NO_INTERRUPT);
}

static uint64_t copy_chain(const struct vring_chain *chain, bool writable, uint64_t offset, uint8_t *host,
			   uint64_t length, bool to_guest)
{
	uint64_t done = 0;
	for (unsigned i = 0; i < chain->count && done < length; i++) {
		const struct vring_segment *s = &chain->segments[i];
		if (s->device_writes != writable)
			continue;
		if (offset >= s->length) {
			offset -= s->length;
			continue;
		}
		if (!s->host)
			break;
		uint64_t n = s->length - offset;
		if (n > length - done)
			n = length - done;
		/* memmove: the other side may be guest memory too (vring_chain_copy, from one VM's
		 * buffer into another's), and a guest can make the two overlap (buffers in a channel
		 * both VMs map, or one VM's own frame); what lands there is then the guest's doing. */
		if (to_guest)
			memmove((uint8_t *)s->host + offset, host + done, n);
		else
			memmove(host + done, (const uint8_t *)s->host + offset, n);
		done += n;
		offset = 0;
	}
	return done;
}

uint64_t vring_chain_read(const struct vring_chain *chain, uint64_t offset, void *to, uint64_t length)
{
	return copy_chain(chain, false, offset, to, length, false);
}

uint64_t vring_chain_write(const struct vring_chain *chain, uint64_t offset, const void *from, uint64_t length)
{
	return copy_chain(chain, true, offset, (uint8_t *)from, length, true);
}

uint64_t vring_chain_copy(const struct vring_chain *to, uint64_t to_offset, const struct vring_chain *from,
			  uint64_t from_offset, uint64_t length)
{
	uint64_t done = 0;
	for (unsigned i = 0; i < from->count && done < length; i++) {
		const struct vring_segment *s = &from->segments[i];
		if (s->device_writes)
			continue;
		if (from_offset >= s->length) {
			from_offset -= s->length;
			continue;
		}
		if (!s->host)
			break;
		uint64_t n = MIN(s->length - from_offset, length - done);
		/* Straight from the one guest's buffer into the other's: no copy in between. */
		uint64_t copied = copy_chain(to, true, to_offset + done, (uint8_t *)s->host + from_offset, n, true);
		done += copied;
		if (copied < n)
			break;
		from_offset = 0;
	}
	return done;
}
