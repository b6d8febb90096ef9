/* SPDX-License-Identifier: Apache-2.0 */
/* virtio-console for guests (Virtio 1.2, 5.3): port 0 alone, so queue 0 is its receiveq and queue 1
 * its transmitq (5.3.2) and no feature of the type is offered: not MULTIPORT (no control queues),
 * not SIZE (the size of whatever terminal shows the VM's console is not known here), not
 * EMERG_WRITE (a configuration write, which the transports ignore). See vdev/virtio_console.h.
 *
 * Output is served on the transmitq's notify, by the notifying vCPU: each buffer's bytes go to the
 * VM's tagged console and the buffer goes back at once (Linux waits for it, polling: 5.3.6's
 * footnote). Input is held in a small ring under the device's lock and moved into the driver's
 * receive buffers when a character arrives and when the driver notifies the receiveq. */
#include "vdev/virtio_console.h"
#include "vdev/virtio.h"
#include "vmm/vm.h"
#include "kernel/mm.h"
#include "lib/string.h"

#define RECEIVEQ 0
#define TRANSMITQ 1
#define OUTPUT_PER_NOTIFY (64u * 1024)  /* bytes shown per transmitq notify: the rest is dropped */
#define COPY_CHUNK 64

struct virtio_console {
	struct virtio_vdev v;
	uint8_t held[VIRTIO_CONSOLE_INPUT_HELD];   /* typed, not yet in a receive buffer */
	unsigned held_first, held_count;
	uint64_t input_dropped;                    /* typed while `held` was full */
	struct vring_chain chain;                  /* the one being served, under *v.lock */
	uint64_t budget;                           /* output still shown in this notify */
};

/* Whether a chain has buffers of the wrong direction for its queue (the driver MUST NOT put them
 * there, 5.3.6.1): then the device asks for a reset. */
static bool wrong_direction(struct virtio_console *con, const struct vring_chain *c, bool receiveq)
{
	if (!(receiveq ? c->readable : c->writable))
		return false;
	virtio_vdev_fault(&con->v, receiveq ? "a device-readable buffer in the receiveq (5.3.6.1)"
					    : "a device-writable buffer in the transmitq (5.3.6.1)");
	return true;
}

/* Moves held input into one receive buffer; returns the bytes written (0 when its buffers are not
 * the VM's RAM or hold nothing). */
static uint32_t fill_receive_buffer(struct virtio_console *con)
{
	const struct vring_chain *c = &con->chain;
	/* The held ring in at most two pieces: up to its end, then from its start. */
	unsigned first = MIN(con->held_count, VIRTIO_CONSOLE_INPUT_HELD - con->held_first);
	uint64_t written = vring_chain_write(c, 0, con->held + con->held_first, first);
	if (written == first && con->held_count > first)
		written += vring_chain_write(c, written, con->held, con->held_count - first);
	con->held_first = (con->held_first + (unsigned)written) % VIRTIO_CONSOLE_INPUT_HELD;
	con->held_count -= (unsigned)written;
	return (uint32_t)written;
}

static bool input_held(void *ctx)
{
	return ((struct virtio_console *)ctx)->held_count != 0;
}

static int64_t fill_one(struct virtio_vdev *v, const struct vring_chain *c, void *ctx)
{
	struct virtio_console *con = ctx;
	if (wrong_direction(con, c, true))
		return -1;
	uint32_t written = fill_receive_buffer(con);
	if (written == 0)
		virtio_vdev_log_failure(v, "a receive buffer outside the VM's RAM or of no bytes: returned empty");
	return written;
}

/* Gives the driver what is held, one receive buffer after another, while both last. Under *v.lock.
 * With no buffer posted, the driver's next notify of the receiveq brings this back. */
static void deliver_input(struct virtio_console *con)
{
	struct virtio_vdev *v = &con->v;
	if (virtio_vdev_queue_live(v, RECEIVEQ))
		virtio_vdev_serve(v, &v->queues[RECEIVEQ], &con->chain, fill_one, input_held, con);
}

/* Shows one transmit buffer's bytes, up to *budget of them; returns whether it was whole. */
static bool show_output(struct virtio_console *con, uint64_t *budget)
{
	const struct vring_chain *c = &con->chain;
	uint64_t length = MIN(c->readable, *budget);
	char chunk[COPY_CHUNK];
	for (uint64_t at = 0; at < length;) {
		uint64_t n = vring_chain_read(c, at, chunk, MIN(length - at, (uint64_t)sizeof(chunk)));
		if (n == 0)
			break; /* a buffer outside the VM's RAM: the bytes before it were shown */
		for (uint64_t i = 0; i < n; i++)
			vm_console_putc(con->v.vm, chunk[i]);
		at += n;
	}
	*budget -= length;
	return length == c->readable && !c->outside_ram;
}

static int64_t show_one(struct virtio_vdev *v, const struct vring_chain *c, void *ctx)
{
	struct virtio_console *con = ctx;
	if (wrong_direction(con, c, false))
		return -1;
	if (!show_output(con, &con->budget))
		virtio_vdev_log_failure(v, "output outside the VM's RAM or past 64 KiB in one notify: not all shown");
	return 0; /* nothing written into a transmit buffer (2.7.8: len is what the device wrote) */
}

static void serve_output(struct virtio_console *con)
{
	/* The output one notify may cost this vCPU, under the device's lock: Linux sends one buffer
	 * of at most a page and waits for it, so only a driver flooding its queue meets the bound. */
	con->budget = OUTPUT_PER_NOTIFY;
	virtio_vdev_serve(&con->v, &con->v.queues[TRANSMITQ], &con->chain, show_one, NULL, con);
}

static void console_queue_notify(struct virtio_vdev *v, unsigned index)
{
	struct virtio_console *con = v->priv;
	if (index == TRANSMITQ)
		serve_output(con);
	else
		deliver_input(con); /* the driver posted receive buffers: held input may go now */
}

void virtio_console_input(void *device, char c)
{
	struct virtio_vdev *v = device;
	struct virtio_console *con = v->priv;
	unsigned long flags = spin_lock_irqsave(v->lock);
	if (con->held_count < VIRTIO_CONSOLE_INPUT_HELD) {
		con->held[(con->held_first + con->held_count) % VIRTIO_CONSOLE_INPUT_HELD] = (uint8_t)c;
		con->held_count++;
	} else {
		con->input_dropped++;
	}
	deliver_input(con);
	spin_unlock_irqrestore(v->lock, flags);
}

static void console_destroy(struct virtio_vdev *v)
{
	kfree(v->priv);
}

/* struct virtio_console_config (5.3.4): cols, rows, max_nr_ports, emerg_wr. None of its fields is
 * valid without SIZE, MULTIPORT or EMERG_WRITE, none of which is offered, so all read as zero; the
 * space still has its size, because a transport shows a device's configuration only when it has
 * one (virtio-pci's DEVICE_CFG capability, 4.1.4.6, whose length Linux wants above zero). */
#define CONFIG_SIZE 12

static uint64_t console_config_read(struct virtio_vdev *v, unsigned offset, unsigned width)
{
	(void)v;
	(void)offset;
	(void)width;
	return 0;
}

static const struct virtio_vdev_ops console_ops = {
	.queue_notify = console_queue_notify,
	.config_read = console_config_read,
	.config_size = CONFIG_SIZE,
	.destroy = console_destroy,
};

struct virtio_vdev *virtio_console_create(struct vm *vm, const char *name, unsigned irq)
{
	struct virtio_console *con = kzalloc(sizeof(*con));
	if (!con)
		return NULL;
	virtio_vdev_init(&con->v, vm, name, VIRTIO_ID_CONSOLE, irq, 2, 0, &console_ops, con);
	return &con->v;
}
