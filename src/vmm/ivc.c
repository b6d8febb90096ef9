/* SPDX-License-Identifier: Apache-2.0 */
/* Inter-VM channels (see vmm/ivc.h, docs/hypercalls.md). One lock guards the table of channels
 * and every change to an IVC window's mappings: calls are rare next to the traffic they carry,
 * which never leaves shared memory but for a doorbell. */
#include "vmm/ivc.h"
#include "vmm/config.h"
#include "vmm/exit.h"
#include "vmm/hypercall.h"
#include "vmm/vcpu.h"
#include "vmm/virq.h"
#include "vmm/vm.h"
#include "virt/arch_vm.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"

#define LOG_LINES_PER_VM 16 /* then one line saying the rest of the VM's calls are not logged */

struct ivc_peer {
	struct vm *vm;          /* NULL: a free subscriber slot */
	gpa_t gpa;              /* where the channel lies in that VM's IVC window */
};

struct ivc_channel {
	bool used;
	unsigned publisher_id;
	uint64_t key;
	struct ivc_peer publisher;
	struct ivc_peer subscribers[IVC_SUBSCRIBERS_MAX];
	paddr_t frames;         /* zeroed when published; the hypervisor's until no VM maps them */
	uint64_t size;          /* whole pages */
	bool kept;              /* an unmap failed: a VM may still reach the frames, never freed */
};

static struct ivc_channel channels[IVC_CHANNELS_MAX];
static struct spinlock ivc_lock;

/* The VM's IVC window (its config's emu_type 0xA entry), or NULL: it takes no part in IVC. */
static const struct vm_emu_device *window_of(const struct vm *vm)
{
	const struct vm_config *config = vm->config;
	for (size_t i = 0; i < config->devices.emu_device_count; i++)
		if (config->devices.emu_devices[i].emu_type == VM_EMU_IVC_CHANNEL)
			return &config->devices.emu_devices[i];
	return NULL;
}

/* The publisher's window lists the VM ids that may subscribe to its channels; none: any VM. */
static bool may_subscribe(const struct vm *publisher, unsigned vm_id)
{
	const struct vm_emu_device *w = window_of(publisher);
	if (!w || w->config_count == 0)
		return true;
	for (size_t i = 0; i < w->config_count; i++)
		if (w->config[i] == vm_id)
			return true;
	return false;
}

/* The channel a VM id (a hypercall's argument, any 64-bit value) publishes under key, or NULL. */
static struct ivc_channel *find(uint64_t publisher_id, uint64_t key)
{
	for (unsigned i = 0; i < IVC_CHANNELS_MAX; i++)
		if (channels[i].used && channels[i].publisher_id == publisher_id && channels[i].key == key)
			return &channels[i];
	return NULL;
}

static struct ivc_channel *unused_channel(void)
{
	for (unsigned i = 0; i < IVC_CHANNELS_MAX; i++)
		if (!channels[i].used)
			return &channels[i];
	return NULL;
}

static struct ivc_peer *subscription(struct ivc_channel *ch, const struct vm *vm)
{
	for (unsigned i = 0; i < IVC_SUBSCRIBERS_MAX; i++)
		if (ch->subscribers[i].vm == vm)
			return &ch->subscribers[i];
	return NULL;
}

static bool ranges_meet(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	return a < b + b_size && b < a + a_size;
}

/* The lowest place in the VM's window where `size` bytes meet none of its channels: -ENOSPC when
 * the VM maps IVC_MAPPINGS_PER_VM channels already or the window has no such gap. */
static int place(const struct vm *vm, const struct vm_emu_device *w, uint64_t size, gpa_t *gpa)
{
	unsigned mapped = 0;
	for (unsigned i = 0; i < IVC_CHANNELS_MAX; i++)
		if (channels[i].used)
			mapped += (channels[i].publisher.vm == vm) + (subscription(&channels[i], vm) != NULL);
	if (mapped >= IVC_MAPPINGS_PER_VM)
		return -ENOSPC;
	uint64_t at = w->base_gpa;
	/* Each pass moves past one mapping at least, or ends: at most `mapped` + 1 passes. */
	for (unsigned pass = 0; pass <= mapped; pass++) {
		bool moved = false;
		for (unsigned i = 0; i < IVC_CHANNELS_MAX; i++) {
			struct ivc_channel *ch = &channels[i];
			if (!ch->used)
				continue;
			const struct ivc_peer *mine = ch->publisher.vm == vm ? &ch->publisher : subscription(ch, vm);
			if (mine && ranges_meet(at, size, mine->gpa, ch->size)) {
				at = mine->gpa + ch->size;
				moved = true;
			}
		}
		if (!moved)
			break;
	}
	if (at - w->base_gpa > w->length || size > w->length - (at - w->base_gpa))
		return -ENOSPC;
	*gpa = at;
	return 0;
}

/* One line about a call, while the VM's budget of lines lasts: a guest looping over calls cannot
 * flood the console. */
static void log_call(struct vm *vm, const char *what, int64_t result)
{
	if (vm_log_budget(vm, &vm->ivc_log_lines, LOG_LINES_PER_VM, "IVC calls"))
		vm_log_info(vm, "IVC: %s: %lld", what, (long long)result);
}

/* The caller's two result slots (a GPA and a size, 8 bytes each), checked before anything
 * changes so that a bad pointer fails the call and leaves nothing behind. */
struct result_slots {
	void *base, *size;
};

/* What publish and subscribe need of their caller: its IVC window (-ENODEV without one) and its
 * result slots (-EFAULT). */
static int caller_window(struct vm *vm, uint64_t base_ptr, uint64_t size_ptr, const struct vm_emu_device **window,
			 struct result_slots *slots)
{
	*window = window_of(vm);
	if (!*window)
		return -ENODEV;
	slots->base = vm_guest_ram(vm, base_ptr, sizeof(uint64_t));
	slots->size = vm_guest_ram(vm, size_ptr, sizeof(uint64_t));
	return slots->base && slots->size ? 0 : -EFAULT;
}

static void put_results(const struct result_slots *slots, gpa_t gpa, uint64_t size)
{
	uint64_t g = gpa;
	memcpy(slots->base, &g, sizeof(g));
	memcpy(slots->size, &size, sizeof(size));
}

static void unmap_peer(struct ivc_channel *ch, const struct ivc_peer *peer)
{
	/* Effective on every CPU when it returns (arch_vm.h): the frames may be freed next. If it
	 * fails, the VM may still reach them, and they are kept from the allocator for good. */
	int err = arch_gpt_unmap(peer->vm, peer->gpa, ch->size);
	if (err < 0) {
		vm_log_error(peer->vm, "IVC: cannot unmap key %#llx's channel at %#llx (%d): its memory is "
			     "kept", (unsigned long long)ch->key, (unsigned long long)peer->gpa, err);
		ch->kept = true;
	}
}

/* A subscriber leaves: unmapped, its slot free. */
static void leave(struct ivc_channel *ch, struct ivc_peer *subscriber)
{
	unmap_peer(ch, subscriber);
	*subscriber = (struct ivc_peer){ 0 };
}

/* Unmaps the channel from every VM, then frees its memory (unless an unmap failed). */
static void destroy(struct ivc_channel *ch)
{
	for (unsigned i = 0; i < IVC_SUBSCRIBERS_MAX; i++)
		if (ch->subscribers[i].vm)
			unmap_peer(ch, &ch->subscribers[i]);
	unmap_peer(ch, &ch->publisher);
	if (!ch->kept)
		frame_free(ch->frames, ch->size / PAGE_SIZE);
	memset(ch, 0, sizeof(*ch));
}

/* 3: publish(key, shm_base_gpa_ptr, shm_size_ptr); the size slot holds the size asked for. */
static int64_t publish(struct vm *vm, uint64_t key, uint64_t base_ptr, uint64_t size_ptr)
{
	const struct vm_emu_device *w;
	struct result_slots slots;
	int err = caller_window(vm, base_ptr, size_ptr, &w, &slots);
	if (err)
		return err;
	uint64_t requested;
	memcpy(&requested, slots.size, sizeof(requested));
	if (requested == 0 || requested > IVC_CHANNEL_BYTES_MAX)
		return -EINVAL;
	uint64_t size = ALIGN_UP(requested, (uint64_t)PAGE_SIZE);
	/* Zeroed outside the lock: up to a MiB of clearing need not hold up other VMs' calls. */
	paddr_t frames = frame_alloc_zeroed(size / PAGE_SIZE, 1);
	if (!frames)
		return -ENOMEM;
	unsigned long flags = spin_lock_irqsave(&ivc_lock);
	struct ivc_channel *ch = unused_channel();
	gpa_t gpa = 0;
	err = find(vm->id, key) ? -EEXIST : !ch ? -ENOSPC : place(vm, w, size, &gpa);
	if (err == 0)
		err = arch_gpt_map(vm, gpa, frames, size, GPT_READ | GPT_WRITE);
	if (err == 0) {
		*ch = (struct ivc_channel){ .used = true, .publisher_id = vm->id, .key = key,
					    .publisher = { vm, gpa }, .frames = frames, .size = size };
		put_results(&slots, gpa, size);
	}
	spin_unlock_irqrestore(&ivc_lock, flags);
	if (err)
		frame_free(frames, size / PAGE_SIZE);
	return err;
}

/* 4: subscribe(publisher_vm_id, key, shm_base_gpa_ptr, shm_size_ptr). */
static int64_t subscribe(struct vm *vm, uint64_t publisher_id, uint64_t key, uint64_t base_ptr, uint64_t size_ptr)
{
	const struct vm_emu_device *w;
	struct result_slots slots;
	int err = caller_window(vm, base_ptr, size_ptr, &w, &slots);
	if (err)
		return err;
	unsigned long flags = spin_lock_irqsave(&ivc_lock);
	struct ivc_channel *ch = find(publisher_id, key);
	struct ivc_peer *slot = ch ? subscription(ch, NULL) : NULL;
	gpa_t gpa = 0;
	err = !ch ? -ENOENT
	    : ch->publisher.vm == vm ? -EINVAL
	    : !may_subscribe(ch->publisher.vm, vm->id) ? -EPERM
	    : subscription(ch, vm) ? -EEXIST
	    : !slot ? -ENOSPC
	    : place(vm, w, ch->size, &gpa);
	if (err == 0)
		err = arch_gpt_map(vm, gpa, ch->frames, ch->size, GPT_READ | GPT_WRITE);
	if (err == 0) {
		*slot = (struct ivc_peer){ vm, gpa };
		put_results(&slots, gpa, ch->size);
	}
	spin_unlock_irqrestore(&ivc_lock, flags);
	return err;
}

/* 5: unpublish(key): the caller's own channel only. */
static int64_t unpublish(struct vm *vm, uint64_t key)
{
	unsigned long flags = spin_lock_irqsave(&ivc_lock);
	struct ivc_channel *ch = find(vm->id, key);
	if (ch)
		destroy(ch);
	spin_unlock_irqrestore(&ivc_lock, flags);
	return ch ? 0 : -ENOENT;
}

/* 6: unsubscribe(publisher_vm_id, key). */
static int64_t unsubscribe(struct vm *vm, uint64_t publisher_id, uint64_t key)
{
	unsigned long flags = spin_lock_irqsave(&ivc_lock);
	struct ivc_channel *ch = find(publisher_id, key);
	struct ivc_peer *mine = ch ? subscription(ch, vm) : NULL;
	if (mine)
		leave(ch, mine);
	spin_unlock_irqrestore(&ivc_lock, flags);
	return mine ? 0 : -ENOENT;
}

/* Rings a VM on a channel: its doorbell interrupt, if its window names one. */
static bool ring(const struct ivc_peer *peer)
{
	const struct vm_emu_device *w = window_of(peer->vm);
	if (!w->irq)
		return false;
	vm_irq_pulse(peer->vm, (unsigned)w->irq);
	return true;
}

/* Tessera's doorbell(publisher_vm_id, key): every VM on the channel but the caller gets its
 * doorbell interrupt; returns how many were rung. Only the channel's publisher and subscribers
 * may ring. */
static int64_t doorbell(struct vm *vm, uint64_t publisher_id, uint64_t key)
{
	unsigned long flags = spin_lock_irqsave(&ivc_lock);
	struct ivc_channel *ch = find(publisher_id, key);
	int64_t rung = -ENOENT;
	if (ch && (ch->publisher.vm == vm || subscription(ch, vm))) {
		rung = ch->publisher.vm != vm && ring(&ch->publisher);
		for (unsigned i = 0; i < IVC_SUBSCRIBERS_MAX; i++)
			if (ch->subscribers[i].vm && ch->subscribers[i].vm != vm)
				rung += ring(&ch->subscribers[i]);
	}
	spin_unlock_irqrestore(&ivc_lock, flags);
	return rung;
}

bool ivc_doorbell_in_place(struct vcpu *vcpu, uint64_t nr, uint64_t publisher_id, uint64_t key, int64_t *result)
{
	if (nr != HYPERCALL_TESSERA_IVC_DOORBELL)
		return false;
	*result = doorbell(vcpu->vm, publisher_id, key);
	return true;
}

bool ivc_hypercall(struct vcpu *vcpu, struct vm_exit_hypercall *call)
{
	struct vm *vm = vcpu->vm;
	const uint64_t *a = call->args;
	char what[80];
	switch (call->nr) {
	case HYPERCALL_IVC_PUBLISH_CHANNEL:
		call->result = publish(vm, a[0], a[1], a[2]);
		format_snprintf(what, sizeof(what), "publish key %#llx", (unsigned long long)a[0]);
		break;
	case HYPERCALL_IVC_SUBSCRIBE_CHANNEL:
		call->result = subscribe(vm, a[0], a[1], a[2], a[3]);
		format_snprintf(what, sizeof(what), "subscribe to VM %llu's key %#llx", (unsigned long long)a[0],
				(unsigned long long)a[1]);
		break;
	case HYPERCALL_IVC_UNPUBLISH_CHANNEL:
		call->result = unpublish(vm, a[0]);
		format_snprintf(what, sizeof(what), "unpublish key %#llx", (unsigned long long)a[0]);
		break;
	case HYPERCALL_IVC_UNSUBSCRIBE_CHANNEL:
		call->result = unsubscribe(vm, a[0], a[1]);
		format_snprintf(what, sizeof(what), "unsubscribe from VM %llu's key %#llx", (unsigned long long)a[0],
				(unsigned long long)a[1]);
		break;
	case HYPERCALL_TESSERA_IVC_DOORBELL:
		call->result = doorbell(vm, a[0], a[1]); /* the data path: not logged */
		return true;
	default:
		return false;
	}
	log_call(vm, what, call->result);
	return true;
}

void ivc_vm_release(struct vm *vm)
{
	unsigned long flags = spin_lock_irqsave(&ivc_lock);
	for (unsigned i = 0; i < IVC_CHANNELS_MAX; i++) {
		struct ivc_channel *ch = &channels[i];
		if (!ch->used)
			continue;
		if (ch->publisher.vm == vm) {
			destroy(ch);
			continue;
		}
		struct ivc_peer *mine = subscription(ch, vm);
		if (mine)
			leave(ch, mine);
	}
	spin_unlock_irqrestore(&ivc_lock, flags);
}
