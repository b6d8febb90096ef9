/* SPDX-License-Identifier: Apache-2.0 */
/* virtio-input as a power button (Virtio 1.2, 5.8; see vdev/virtio_input.h). Its queues: 0 the
 * eventq, buffers the driver posts for the device to fill with events (8 bytes each, struct
 * virtio_input_event: le16 type, le16 code, le32 value, the evdev layout of Linux's
 * include/uapi/linux/input.h); 1 the statusq, which carries LED and similar state to the device
 * and is returned unread (a button has none). No feature bits of the type exist.
 *
 * The configuration space (5.8.4) answers what the driver selects: it writes select and subsel,
 * then reads size and the union u behind them. Shown: the name, the device IDs, and the EV_KEY
 * bitmap with KEY_POWER alone; size 0 for every other selection, as 5.8.5.1 asks.
 *
 * A press is four events (key down, SYN_REPORT, key up, SYN_REPORT), held until the driver has
 * buffers for them: given at once when it has, else when it next notifies the eventq. */
#include "vdev/virtio_input.h"
#include "vdev/virtio.h"
#include "vmm/vm.h"
#include "kernel/mm.h"
#include "lib/errno.h"
#include "lib/string.h"

#define EVENTQ 0
#define STATUSQ 1

/* struct virtio_input_config (5.8.4): select, subsel, size, 5 reserved, then the 128-byte union. */
#define CFG_SELECT 0
#define CFG_SUBSEL 1
#define CFG_SIZE 2
#define CFG_UNION 8
#define CONFIG_SIZE (CFG_UNION + 128)
#define SELECT_ID_NAME 0x01
#define SELECT_ID_DEVIDS 0x03
#define SELECT_EV_BITS 0x11

/* From Linux's include/uapi/linux/input-event-codes.h and input.h (the evdev ABI). */
#define EV_SYN 0x00
#define EV_KEY 0x01
#define SYN_REPORT 0
#define KEY_POWER 116
#define BUS_VIRTUAL 0x06

#define EVENT_BYTES 8
#define HELD_EVENTS 16  /* four presses not yet taken by the driver; more are dropped */

static const char device_name[] = "Tessera power button";

struct virtio_input {
	struct virtio_vdev v;
	uint8_t select, subsel;
	uint8_t held[HELD_EVENTS][EVENT_BYTES];
	unsigned held_first, held_count;
	uint64_t presses, events_dropped;
	struct vring_chain chain;  /* the one being served, under *v.lock */
};

/* What the current selection shows in the union: its bytes into u (zeroed first), its size. */
static unsigned selection(const struct virtio_input *in, uint8_t u[128])
{
	memset(u, 0, 128);
	switch (in->select) {
	case SELECT_ID_NAME:
		memcpy(u, device_name, sizeof(device_name) - 1);
		return sizeof(device_name) - 1;
	case SELECT_ID_DEVIDS: /* struct virtio_input_devids: bustype, vendor, product, version */
		u[0] = BUS_VIRTUAL;
		u[4] = 1; /* product 1 */
		u[6] = 1; /* version 1 */
		return 8;
	case SELECT_EV_BITS:
		if (in->subsel != EV_KEY)
			return 0;
		u[KEY_POWER / 8] = 1u << (KEY_POWER % 8);
		return KEY_POWER / 8 + 1;
	default:
		return 0;
	}
}

static uint64_t input_config_read(struct virtio_vdev *v, unsigned offset, unsigned width)
{
	struct virtio_input *in = v->priv;
	uint8_t bytes[CONFIG_SIZE] = { in->select, in->subsel };
	bytes[CFG_SIZE] = (uint8_t)selection(in, bytes + CFG_UNION);
	uint64_t value = 0;
	for (unsigned i = 0; i < width; i++) /* little-endian (5.8.4 has only le fields and bytes) */
		value |= (uint64_t)bytes[offset + i] << (8 * i);
	return value;
}

static void input_config_write(struct virtio_vdev *v, unsigned offset, unsigned width, uint64_t value)
{
	struct virtio_input *in = v->priv;
	for (unsigned i = 0; i < width; i++, value >>= 8) {
		if (offset + i == CFG_SELECT)
			in->select = (uint8_t)value;
		else if (offset + i == CFG_SUBSEL)
			in->subsel = (uint8_t)value;
	}
}

static bool events_held(void *ctx)
{
	return ((struct virtio_input *)ctx)->held_count != 0;
}

/* One held event into one eventq buffer. */
static int64_t fill_one(struct virtio_vdev *v, const struct vring_chain *c, void *ctx)
{
	struct virtio_input *in = ctx;
	if (c->readable) {
		virtio_vdev_fault(v, "a device-readable buffer in the eventq (5.8.6.1)");
		return -1;
	}
	if (!in->held_count)
		return 0;
	if (vring_chain_write(c, 0, in->held[in->held_first], EVENT_BYTES) != EVENT_BYTES) {
		virtio_vdev_log_failure(v, "an eventq buffer outside the VM's RAM or under 8 bytes: returned empty");
		return 0;
	}
	in->held_first = (in->held_first + 1) % HELD_EVENTS;
	in->held_count--;
	return EVENT_BYTES;
}

static void deliver_events(struct virtio_input *in)
{
	struct virtio_vdev *v = &in->v;
	if (virtio_vdev_queue_live(v, EVENTQ))
		virtio_vdev_serve(v, &v->queues[EVENTQ], &in->chain, fill_one, events_held, in);
}

static int64_t consume_status(struct virtio_vdev *v, const struct vring_chain *c, void *ctx)
{
	(void)v; (void)c; (void)ctx;
	return 0; /* LED and similar state: a power button has none */
}

static void input_queue_notify(struct virtio_vdev *v, unsigned index)
{
	struct virtio_input *in = v->priv;
	if (index == EVENTQ)
		deliver_events(in);
	else
		virtio_vdev_serve(v, &v->queues[STATUSQ], &in->chain, consume_status, NULL, in);
}

static void hold_event(struct virtio_input *in, uint16_t type, uint16_t code, uint32_t value)
{
	if (in->held_count == HELD_EVENTS) {
		in->events_dropped++;
		return;
	}
	uint8_t *e = in->held[(in->held_first + in->held_count++) % HELD_EVENTS];
	e[0] = (uint8_t)type; e[1] = (uint8_t)(type >> 8);
	e[2] = (uint8_t)code; e[3] = (uint8_t)(code >> 8);
	for (unsigned i = 0; i < 4; i++)
		e[4 + i] = (uint8_t)(value >> (8 * i));
}

int virtio_power_button_press(void *device, const char **why)
{
	struct virtio_vdev *v = device;
	struct virtio_input *in = v->priv;
	unsigned long flags = spin_lock_irqsave(v->lock);
	bool listening = virtio_vdev_queue_live(v, EVENTQ);
	if (listening) {
		in->presses++;
		hold_event(in, EV_KEY, KEY_POWER, 1);
		hold_event(in, EV_SYN, SYN_REPORT, 0);
		hold_event(in, EV_KEY, KEY_POWER, 0);
		hold_event(in, EV_SYN, SYN_REPORT, 0);
		deliver_events(in);
	}
	spin_unlock_irqrestore(v->lock, flags);
	if (!listening) {
		*why = "no virtio-input driver runs its power button";
		return -ENOTCONN;
	}
	return 0;
}

/* A press the driver never took is not given to the next one (after a reset or a reboot). */
static void input_reset(struct virtio_vdev *v)
{
	struct virtio_input *in = v->priv;
	in->select = in->subsel = 0;
	in->held_first = in->held_count = 0;
}

static void input_report(struct virtio_vdev *v)
{
	struct virtio_input *in = v->priv;
	if (in->presses)
		vm_log_info(v->vm, "%s: power button pressed %llu times, %llu events dropped", v->name,
			    (unsigned long long)in->presses, (unsigned long long)in->events_dropped);
}

static void input_destroy(struct virtio_vdev *v)
{
	kfree(v->priv);
}

static const struct virtio_vdev_ops input_ops = {
	.queue_notify = input_queue_notify,
	.config_read = input_config_read,
	.config_write = input_config_write,
	.config_size = CONFIG_SIZE,
	.reset = input_reset,
	.report = input_report,
	.destroy = input_destroy,
};

struct virtio_vdev *virtio_power_button_create(struct vm *vm, const char *name, unsigned irq)
{
	struct virtio_input *in = kzalloc(sizeof(*in));
	if (!in)
		return NULL;
	virtio_vdev_init(&in->v, vm, name, VIRTIO_ID_INPUT, irq, 2, 0, &input_ops, in);
	return &in->v;
}
