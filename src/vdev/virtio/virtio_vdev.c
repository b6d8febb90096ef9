/* SPDX-License-Identifier: Apache-2.0 */
/* What every virtio device has, whatever its transport and type (see vdev/virtio.h). */
#include "vdev/virtio.h"
#include "vmm/virq.h"
#include "vmm/vm.h"
#include "lib/string.h"

#define FAULTS_LOGGED_MAX 8 /* per device; then one line saying the rest are not */
#define SERVE_ROUNDS_MAX 4  /* looks at a ring per notify (virtio_vdev_serve) */

/* The rings' addresses: a request's buffers are hundreds of lookups, most in the present RAM the
 * last one found (vm_guest_ram_window). */
static void *map_vm_ram(void *ctx, uint64_t gpa, uint64_t length)
{
	struct virtio_vdev *v = ctx;
	const struct vm_ram_window *w = &v->ram_window;
	uint64_t offset = gpa - w->gpa; /* below the window: wraps, too big */
	if (offset < w->size && length && length <= w->size - offset)
		return w->host + offset;
	return vm_guest_ram_window(v->vm, gpa, length, &v->ram_window);
}

void virtio_vdev_init(struct virtio_vdev *v, struct vm *vm, const char *name, uint32_t device_id, unsigned irq,
		      unsigned queue_count, uint64_t type_features, const struct virtio_vdev_ops *ops, void *priv)
{
	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->lock = &v->own_lock;
	v->name = name;
	v->device_id = device_id;
	v->irq = irq;
	v->queue_count = queue_count < VIRTIO_VDEV_QUEUES_MAX ? queue_count : VIRTIO_VDEV_QUEUES_MAX;
	/* What the rings in vring.c implement, and what the type does; nothing it does not (6). */
	v->device_features = VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT_DESC | VIRTIO_F_EVENT_IDX | type_features;
	v->ops = ops;
	v->priv = priv;
	v->memory = (struct vring_memory){ map_vm_ram, v };
}

void virtio_vdev_reset(struct virtio_vdev *v)
{
	unsigned long flags = spin_lock_irqsave(v->lock);
	virtio_vdev_set_status(v, 0);
	spin_unlock_irqrestore(v->lock, flags);
}

void virtio_vdev_destroy(struct virtio_vdev *v)
{
	if (v->ops->destroy)
		v->ops->destroy(v);
}

uint32_t virtio_vdev_device_features(struct virtio_vdev *v)
{
	return v->device_features_sel < 2 ? (uint32_t)(v->device_features >> (32 * v->device_features_sel)) : 0;
}

void virtio_vdev_set_driver_features(struct virtio_vdev *v, uint32_t value)
{
	/* Features may change only before FEATURES_OK (3.1.1). */
	if (v->driver_features_sel >= 2 || (v->status & VIRTIO_STATUS_FEATURES_OK))
		return;
	unsigned shift = 32 * v->driver_features_sel;
	v->driver_features = (v->driver_features & ~(0xffffffffull << shift)) | (uint64_t)value << shift;
}

static bool rate_limited(struct virtio_vdev *v)
{
	if (v->faults_logged > FAULTS_LOGGED_MAX)
		return true;
	if (++v->faults_logged > FAULTS_LOGGED_MAX) {
		vm_log_warn(v->vm, "%s: further driver errors are not logged", v->name);
		return true;
	}
	return false;
}

void virtio_vdev_log_failure(struct virtio_vdev *v, const char *what)
{
	if (!rate_limited(v))
		vm_log_warn(v->vm, "%s: %s", v->name, what);
}

static void update_line(struct virtio_vdev *v)
{
	vm_irq_set(v->vm, v->irq, v->interrupt_status != 0 && !v->messages);
}

void virtio_vdev_set_messages(struct virtio_vdev *v, bool on)
{
	v->messages = on;
	update_line(v);
}

void virtio_vdev_fault(struct virtio_vdev *v, const char *why)
{
	if (!rate_limited(v))
		vm_log_warn(v->vm, "%s: %s: the device needs a reset", v->name, why);
	if (v->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		return;
	v->fault = why;
	v->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	if (v->status & VIRTIO_STATUS_DRIVER_OK) {
		/* Set with messages too (4.1.4.5.1): a driver may read it in its handler. */
		v->interrupt_status |= VIRTIO_INTERRUPT_CONFIG;
		if (v->messages)
			v->send_message(v, VIRTIO_VDEV_CONFIG_CHANGE);
		else
			update_line(v);
	}
}

static void reset(struct virtio_vdev *v)
{
	for (unsigned i = 0; i < VIRTIO_VDEV_QUEUES_MAX; i++)
		vring_reset(&v->queues[i]);
	v->status = 0;
	v->fault = NULL;
	v->driver_features = 0;
	v->device_features_sel = v->driver_features_sel = 0;
	v->queue_sel = 0;
	v->interrupt_status = 0;
	v->ram_window = (struct vm_ram_window){ 0 }; /* the VM's RAM may be forgotten next */
	if (v->ops->reset)
		v->ops->reset(v);
	update_line(v);
}

void virtio_vdev_set_status(struct virtio_vdev *v, uint8_t status)
{
	if (status == 0) {
		reset(v); /* 2.4: writing zero resets the device */
		return;
	}
	uint8_t added = status & (uint8_t)~v->status;
	if (added & VIRTIO_STATUS_FEATURES_OK) {
		/* The driver may accept only what was offered, and a modern device needs VERSION_1
		 * (3.1.1, 6.1): otherwise FEATURES_OK does not stick and the driver sees why it failed. */
		if ((v->driver_features & ~v->device_features) || !(v->driver_features & VIRTIO_F_VERSION_1)) {
			virtio_vdev_log_failure(v, "the driver accepted features the device did not offer, or not VERSION_1");
			status &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
		}
	}
	if ((added & VIRTIO_STATUS_DRIVER_OK) && !(status & VIRTIO_STATUS_FEATURES_OK)) {
		virtio_vdev_fault(v, "DRIVER_OK without FEATURES_OK");
		return;
	}
	/* The device keeps NEEDS_RESET until the reset; the driver cannot clear bits but by it. */
	v->status = (uint8_t)(status | (v->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET));
}

bool virtio_vdev_queue_live(const struct virtio_vdev *v, unsigned index)
{
	return (v->status & VIRTIO_STATUS_DRIVER_OK) && !(v->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET) &&
	       index < v->queue_count && v->queues[index].ready;
}

struct vring *virtio_vdev_selected(struct virtio_vdev *v)
{
	return v->queue_sel < v->queue_count ? &v->queues[v->queue_sel] : NULL;
}

void virtio_vdev_queue_ready(struct virtio_vdev *v, bool ready)
{
	struct vring *ring = virtio_vdev_selected(v);
	if (!ring)
		return;
	if (!ready) {
		ring->ready = false;
		return;
	}
	if (ring->ready)
		return;
	ring->event_idx = v->driver_features & VIRTIO_F_EVENT_IDX;
	ring->indirect = v->driver_features & VIRTIO_F_INDIRECT_DESC;
	const char *why;
	if (vring_enable(ring, &v->memory, &why) < 0)
		virtio_vdev_fault(v, why);
}

void virtio_vdev_notify(struct virtio_vdev *v, unsigned index)
{
	v->notifies++;
	if (v->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		return;
	if (index >= v->queue_count || !v->queues[index].ready || !(v->status & VIRTIO_STATUS_DRIVER_OK)) {
		virtio_vdev_fault(v, "a notification for a queue that is not set up");
		return;
	}
	v->ops->queue_notify(v, index);
}

void virtio_vdev_ack_interrupt(struct virtio_vdev *v, uint32_t causes)
{
	v->interrupt_status &= ~causes;
	update_line(v);
}

void virtio_vdev_used(struct virtio_vdev *v, struct vring *ring)
{
	if (!vring_should_interrupt(ring))
		return;
	v->interrupts++;
	if (v->messages) {
		v->send_message(v, (unsigned)(ring - v->queues));
		return;
	}
	v->interrupt_status |= VIRTIO_INTERRUPT_QUEUE;
	update_line(v);
}

void virtio_vdev_serve(struct virtio_vdev *v, struct vring *ring, struct vring_chain *chain, virtio_serve_fn serve,
		       bool (*more)(void *ctx), void *ctx)
{
	for (unsigned round = 0; round < SERVE_ROUNDS_MAX; round++) {
		unsigned taken = 0;
		for (; taken < ring->num && (!more || more(ctx)); taken++) {
			const char *why;
			int got = vring_pop(ring, &v->memory, chain, &why);
			if (got < 0) {
				virtio_vdev_fault(v, why);
				return;
			}
			if (got == 0)
				break;
			int64_t written = serve(v, chain, ctx);
			if (written < 0)
				return;
			v->requests++;
			vring_push(ring, chain->head, (uint32_t)written);
		}
		if (taken == 0)
			return; /* nothing taken: the driver's next notify brings us back */
		virtio_vdev_used(v, ring);
		if (!vring_has_available(ring))
			return;
	}
}

void virtio_vdev_report(struct virtio_vdev *v)
{
	unsigned long flags = spin_lock_irqsave(v->lock);
	uint64_t requests = v->requests, notifies = v->notifies, interrupts = v->interrupts;
	spin_unlock_irqrestore(v->lock, flags);
	vm_log_info(v->vm, "%s: virtio: %llu requests, %llu notifies, %llu interrupts", v->name,
		    (unsigned long long)requests, (unsigned long long)notifies, (unsigned long long)interrupts);
	if (v->ops->report)
		v->ops->report(v);
}

uint64_t virtio_vdev_config_read(struct virtio_vdev *v, unsigned offset, unsigned width)
{
	if (offset >= v->ops->config_size || width > v->ops->config_size - offset)
		return 0;
	return v->ops->config_read(v, offset, width);
}

void virtio_vdev_config_write(struct virtio_vdev *v, unsigned offset, unsigned width, uint64_t value)
{
	if (v->ops->config_write && offset < v->ops->config_size && width <= v->ops->config_size - offset)
		v->ops->config_write(v, offset, width, value);
}
