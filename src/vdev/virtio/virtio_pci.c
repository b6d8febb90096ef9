/* SPDX-License-Identifier: Apache-2.0 */
/* The virtio-pci transport, modern interface (Virtio 1.2, 4.1): a PCI function on the VM's bus 0
 * (vmm/pci_bus.h) with vendor capabilities (4.1.4) locating four structures in one 64-bit memory BAR,
 * which sits at the config's window (as firmware would place it) and is served as an MMIO device:
 *
 *   0x0000 common configuration (4.1.4.3)     0x2000 device configuration (4.1.4.6)
 *   0x0800 ISR status (4.1.4.5)               0x3000 notifications, queue i at 4 * i (4.1.4.4)
 *   0x1000 MSI-X table, pending bits at 0x1800 (PCI 3.0, 6.8.2: a 4 KiB page of their own)
 *
 * Interrupts: MSI-X (4.1.5.1.2), one table entry per queue and one for configuration changes, sent
 * to the VM's interrupt controller (x86's local APICs: vm_irq_message); with MSI-X off, legacy INTx
 * (pin A) on the config's line: the line is up while the ISR status is nonzero, and reading the ISR
 * clears it (4.1.4.5.1). Why MSI-X: a driver's INTx handler reads the ISR, an exit per interrupt,
 * and its level-triggered EOI goes through the IOAPIC; a message needs neither. Not offered: the
 * VIRTIO_PCI_CAP_PCI_CFG window (4.1.4.9), which drivers that map BARs (Linux) do not use. */
#include "vdev/virtio_pci.h"
#include "vmm/pci_bus.h"
#include "vmm/virq.h"
#include "vmm/vm.h"
#include "kernel/mm.h"
#include "lib/errno.h"
#include "lib/string.h"

#define BAR_SIZE 0x4000u
#define COMMON 0x0000u
#define ISR 0x0800u
#define MSIX_TABLE 0x1000u
#define MSIX_PBA 0x1800u
#define DEVICE 0x2000u
#define NOTIFY 0x3000u
#define NOTIFY_MULTIPLIER 4u
#define NO_VECTOR 0xffffu
#define MSIX_ENTRIES (VIRTIO_VDEV_QUEUES_MAX + 1)
#define MSIX_ENTRY_MASKED 1u /* Vector Control bit 0 (6.8.2.9) */

/* Capability types (4.1.4) and where each capability sits in configuration space. */
#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR 3
#define CAP_DEVICE 4
#define PCI_CAP_VENDOR 0x09
#define CAPS_START 0x40
#define CAP_MSIX_AT 0x84 /* after the notify capability's 20 bytes at 0x70 */

/* Common configuration fields (4.1.4.3). */
#define C_DEVICE_FEATURE_SELECT 0x00
#define C_DEVICE_FEATURE 0x04
#define C_DRIVER_FEATURE_SELECT 0x08
#define C_DRIVER_FEATURE 0x0c
#define C_MSIX_CONFIG 0x10
#define C_NUM_QUEUES 0x12
#define C_DEVICE_STATUS 0x14
#define C_CONFIG_GENERATION 0x15
#define C_QUEUE_SELECT 0x16
#define C_QUEUE_SIZE 0x18
#define C_QUEUE_MSIX_VECTOR 0x1a
#define C_QUEUE_ENABLE 0x1c
#define C_QUEUE_NOTIFY_OFF 0x1e
#define C_QUEUE_DESC 0x20
#define C_QUEUE_DRIVER 0x28
#define C_QUEUE_DEVICE 0x30
#define C_QUEUE_NOTIFY_DATA 0x38
#define C_SIZE 0x3c

struct msix_entry { /* PCI 3.0, 6.8.2.6-6.8.2.9 */
	uint32_t address_low, address_high, data, control;
};

struct virtio_pci {
	struct vdev bar;
	struct virtio_vdev *v;
	struct pci_function fn;
	struct vm *vm;
	/* MSI-X, under v->lock: the table (queue_count + 1 entries), its pending bits, and which entry
	 * each event uses (NO_VECTOR: none, no interrupt is sent: 4.1.5.1.2). */
	unsigned msix_count;
	struct msix_entry msix[MSIX_ENTRIES];
	uint32_t msix_pending;
	uint16_t config_vector;
	uint16_t queue_vector[VIRTIO_VDEV_QUEUES_MAX];
};

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

/* --- MSI-X --- */

static uint16_t message_control(const struct virtio_pci *p)
{
	return (uint16_t)(p->fn.config[CAP_MSIX_AT + PCI_MSIX_CONTROL] |
			  p->fn.config[CAP_MSIX_AT + PCI_MSIX_CONTROL + 1] << 8);
}

/* Sends each pending message whose entry is unmasked, unless the whole function is masked
 * (6.8.2.3: a masked vector's message waits in its pending bit). */
static void send_pending(struct virtio_pci *p)
{
	if ((message_control(p) & (PCI_MSIX_ENABLE | PCI_MSIX_FUNCTION_MASK)) != PCI_MSIX_ENABLE)
		return;
	for (unsigned i = 0; i < p->msix_count; i++) {
		const struct msix_entry *e = &p->msix[i];
		if (!(p->msix_pending & (1u << i)) || (e->control & MSIX_ENTRY_MASKED))
			continue;
		p->msix_pending &= ~(1u << i);
		vm_irq_message(p->vm, (uint64_t)e->address_high << 32 | e->address_low, e->data);
	}
}

/* virtio_vdev.send_message: the event's entry becomes pending and goes if it may. */
static void send_message(struct virtio_vdev *v, unsigned cause)
{
	struct virtio_pci *p = v->transport;
	uint16_t vector = cause == VIRTIO_VDEV_CONFIG_CHANGE ? p->config_vector : p->queue_vector[cause];
	if (vector >= p->msix_count)
		return;
	p->msix_pending |= 1u << vector;
	send_pending(p);
}

/* The guest wrote Message Control (pci_bus.c, under the bus's lock). */
static void msix_control_written(struct pci_function *fn)
{
	struct virtio_pci *p = fn->owner;
	struct virtio_vdev *v = p->v;
	unsigned long flags = spin_lock_irqsave(v->lock);
	virtio_vdev_set_messages(v, message_control(p) & PCI_MSIX_ENABLE);
	send_pending(p);
	spin_unlock_irqrestore(v->lock, flags);
}

/* Which events use which entries: none, as after a reset of the device (4.1.5.1.2). */
static void unmap_vectors(struct virtio_pci *p)
{
	p->config_vector = NO_VECTOR;
	for (unsigned i = 0; i < VIRTIO_VDEV_QUEUES_MAX; i++)
		p->queue_vector[i] = NO_VECTOR;
}

static uint16_t valid_vector(const struct virtio_pci *p, uint64_t value)
{
	return value < p->msix_count ? (uint16_t)value : NO_VECTOR;
}

/* The table's dword at `at` (bytes from its start), or NULL past its entries. */
static uint32_t *table_dword(struct virtio_pci *p, unsigned at)
{
	unsigned entry = at / sizeof(struct msix_entry);
	if (at >= MSIX_PBA - MSIX_TABLE || entry >= p->msix_count || entry >= MSIX_ENTRIES)
		return NULL;
	return (uint32_t *)&p->msix[entry] + at % sizeof(struct msix_entry) / 4;
}

/* The table and pending bits, a dword at a time (6.8.2: software accesses them by dwords or
 * qwords; a qword is the two dwords); other accesses read zero and write nothing. */
static bool dword_access(unsigned offset, unsigned width)
{
	return (width == 4 || width == 8) && offset % 4 == 0;
}

static uint64_t msix_read(struct virtio_pci *p, unsigned offset, unsigned width)
{
	uint64_t value = 0;
	for (unsigned i = 0; dword_access(offset, width) && i < width / 4; i++) {
		unsigned at = offset + 4 * i;
		const uint32_t *dword = table_dword(p, at);
		uint32_t v = dword ? *dword : at == MSIX_PBA - MSIX_TABLE ? p->msix_pending : 0;
		value |= (uint64_t)v << (32 * i);
	}
	return value;
}

static void msix_write(struct virtio_pci *p, unsigned offset, unsigned width, uint64_t value)
{
	for (unsigned i = 0; dword_access(offset, width) && i < width / 4; i++) {
		unsigned at = offset + 4 * i;
		uint32_t *dword = table_dword(p, at), v = (uint32_t)(value >> (32 * i));
		if (!dword)
			continue; /* the pending bits are read-only */
		switch (at % 16) {
		case 0: *dword = v & ~3u; break; /* the address is dword-aligned (6.8.2.6) */
		case 12: *dword = v & MSIX_ENTRY_MASKED; break;
		default: *dword = v; break;
		}
	}
	send_pending(p); /* an entry unmasked sends what waited for it */
}

/* MSI-X as at power-on: off, every entry masked (6.8.2.9), nothing pending, no event mapped. */
static void msix_clear(struct virtio_pci *p)
{
	for (unsigned i = 0; i < MSIX_ENTRIES; i++)
		p->msix[i] = (struct msix_entry){ 0, 0, 0, MSIX_ENTRY_MASKED };
	p->msix_pending = 0;
	unmap_vectors(p);
	uint8_t *control_high = &p->fn.config[CAP_MSIX_AT + PCI_MSIX_CONTROL + 1];
	*control_high &= (uint8_t)~((PCI_MSIX_ENABLE | PCI_MSIX_FUNCTION_MASK) >> 8);
}

/* --- registers --- */

static uint64_t common_read(struct virtio_pci *p, unsigned offset, unsigned width)
{
	struct virtio_vdev *v = p->v;
	uint8_t image[C_SIZE] = { 0 };
	struct vring *q = virtio_vdev_selected(v);
	put32(image + C_DEVICE_FEATURE_SELECT, v->device_features_sel);
	put32(image + C_DEVICE_FEATURE, virtio_vdev_device_features(v));
	put32(image + C_DRIVER_FEATURE_SELECT, v->driver_features_sel);
	if (v->driver_features_sel < 2)
		put32(image + C_DRIVER_FEATURE, (uint32_t)(v->driver_features >> (32 * v->driver_features_sel)));
	put16(image + C_MSIX_CONFIG, p->config_vector);
	put16(image + C_NUM_QUEUES, (uint16_t)v->queue_count);
	image[C_DEVICE_STATUS] = v->status;
	image[C_CONFIG_GENERATION] = (uint8_t)v->config_generation;
	put16(image + C_QUEUE_SELECT, (uint16_t)v->queue_sel);
	if (q) {
		/* queue_size reads the maximum until the driver writes a smaller one (4.1.4.3.2). */
		put16(image + C_QUEUE_SIZE, q->num ? q->num : VRING_NUM_MAX);
		put16(image + C_QUEUE_MSIX_VECTOR, p->queue_vector[v->queue_sel]);
		put16(image + C_QUEUE_ENABLE, q->ready);
		put16(image + C_QUEUE_NOTIFY_OFF, (uint16_t)v->queue_sel);
		put64(image + C_QUEUE_DESC, q->desc_gpa);
		put64(image + C_QUEUE_DRIVER, q->avail_gpa);
		put64(image + C_QUEUE_DEVICE, q->used_gpa);
		put16(image + C_QUEUE_NOTIFY_DATA, (uint16_t)v->queue_sel);
	}
	uint64_t value = 0;
	if (offset < C_SIZE && width <= C_SIZE - offset)
		memcpy(&value, image + offset, width);
	return value;
}

/* A 64-bit ring address written whole or as two 32-bit halves, while the queue is not enabled. */
static void set_address(uint64_t *address, unsigned at, unsigned width, uint64_t value)
{
	if (width == 8)
		*address = value;
	else if (width == 4)
		*address = at == 0 ? (*address & ~0xffffffffull) | (uint32_t)value
				   : (*address & 0xffffffffull) | value << 32;
}

static void common_write(struct virtio_pci *p, unsigned offset, unsigned width, uint64_t value)
{
	struct virtio_vdev *v = p->v;
	struct vring *q = virtio_vdev_selected(v);
	bool settable = q && !q->ready;
	if (offset >= C_QUEUE_DESC && offset < C_QUEUE_NOTIFY_DATA) {
		unsigned field = offset & ~7u, at = offset & 7u;
		if (!settable || (at != 0 && at != 4) || (width == 8 && at))
			return;
		uint64_t *address = field == C_QUEUE_DESC ? &q->desc_gpa : field == C_QUEUE_DRIVER ? &q->avail_gpa : &q->used_gpa;
		set_address(address, at, width, value);
		return;
	}
	if (offset >= C_SIZE)
		return;
	switch (offset | width << 8) {
	case C_DEVICE_FEATURE_SELECT | 4 << 8: v->device_features_sel = (uint32_t)value; break;
	case C_DRIVER_FEATURE_SELECT | 4 << 8: v->driver_features_sel = (uint32_t)value; break;
	case C_DRIVER_FEATURE | 4 << 8: virtio_vdev_set_driver_features(v, (uint32_t)value); break;
	case C_DEVICE_STATUS | 1 << 8:
		if (value == 0)
			unmap_vectors(p);
		virtio_vdev_set_status(v, (uint8_t)value);
		break;
	case C_MSIX_CONFIG | 2 << 8: p->config_vector = valid_vector(p, value); break;
	case C_QUEUE_MSIX_VECTOR | 2 << 8:
		if (q)
			p->queue_vector[v->queue_sel] = valid_vector(p, value);
		break;
	case C_QUEUE_SELECT | 2 << 8: v->queue_sel = (uint16_t)value; break;
	case C_QUEUE_SIZE | 2 << 8:
		if (settable)
			q->num = (uint16_t)value; /* vring_enable checks it */
		break;
	case C_QUEUE_ENABLE | 2 << 8:
		if (q && (value & 1)) {
			if (!q->num)
				q->num = VRING_NUM_MAX;
			virtio_vdev_queue_ready(v, true);
		}
		break; /* writing 0 is not allowed (4.1.4.3.2); queue_reset is not offered */
	default: break; /* read-only fields */
	}
}

static int bar_read(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t *value)
{
	(void)vcpu;
	struct virtio_pci *p = dev->priv;
	struct virtio_vdev *v = p->v;
	unsigned long flags = spin_lock_irqsave(v->lock);
	unsigned at = (unsigned)(offset & 0xfff);
	switch (offset & ~0xfffull) {
	case COMMON:
		if (offset == ISR) {
			/* Reading clears the status and lowers INTx (4.1.4.5.1). */
			*value = v->interrupt_status;
			virtio_vdev_ack_interrupt(v, v->interrupt_status);
		} else {
			*value = common_read(p, at, width);
		}
		break;
	case MSIX_TABLE: *value = msix_read(p, at, width); break;
	case DEVICE: *value = virtio_vdev_config_read(v, at, width); break;
	default: *value = 0; break;
	}
	spin_unlock_irqrestore(v->lock, flags);
	return 0;
}

static int bar_write(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t value)
{
	(void)vcpu;
	struct virtio_pci *p = dev->priv;
	struct virtio_vdev *v = p->v;
	unsigned long flags = spin_lock_irqsave(v->lock);
	unsigned at = (unsigned)(offset & 0xfff);
	switch (offset & ~0xfffull) {
	case COMMON: common_write(p, at, width, value); break; /* the ISR is read-only */
	case MSIX_TABLE: msix_write(p, at, width, value); break;
	case NOTIFY:
		if (at % NOTIFY_MULTIPLIER == 0)
			virtio_vdev_notify(v, at / NOTIFY_MULTIPLIER);
		break;
	case DEVICE: virtio_vdev_config_write(v, at, width, value); break;
	default: break;
	}
	spin_unlock_irqrestore(v->lock, flags);
	return 0;
}

static void bar_destroy(struct vdev *dev)
{
	struct virtio_pci *p = dev->priv;
	pci_bus_remove(&p->vm->pci, &p->fn);
	virtio_vdev_destroy(p->v);
	kfree(p);
}

static void bar_reset(struct vdev *dev)
{
	struct virtio_pci *p = dev->priv;
	virtio_vdev_reset(p->v);
	unsigned long flags = spin_lock_irqsave(p->v->lock);
	msix_clear(p);
	virtio_vdev_set_messages(p->v, false);
	spin_unlock_irqrestore(p->v->lock, flags);
}

static void bar_report(struct vdev *dev)
{
	virtio_vdev_report(((struct virtio_pci *)dev->priv)->v);
}

static const struct vdev_ops bar_ops = {
	.read = bar_read,
	.write = bar_write,
	.destroy = bar_destroy,
	.reset = bar_reset,
	.report = bar_report,
};

/* One vendor capability (struct virtio_pci_cap, 4.1.4) at `at`, pointing to `next`. */
static void put_cap(uint8_t *config, unsigned at, unsigned next, uint8_t type, uint32_t offset, uint32_t length,
		    uint8_t cap_length)
{
	config[at] = PCI_CAP_VENDOR;
	config[at + 1] = (uint8_t)next;
	config[at + 2] = cap_length;
	config[at + 3] = type;
	config[at + 4] = 0; /* BAR 0 */
	put32(config + at + 8, offset);
	put32(config + at + 12, length);
}

/* PCI class per device type (PCI Code and ID Assignment 1.11): other mass storage, other
 * communication controller, Ethernet. */
static void set_class(uint8_t *config, uint32_t device_id)
{
	config[PCI_CLASS] = device_id == VIRTIO_ID_BLOCK ? 0x01 : device_id == VIRTIO_ID_NET ? 0x02 : 0x07;
	config[PCI_SUBCLASS] = device_id == VIRTIO_ID_NET ? 0x00 : 0x80;
}

struct vdev *virtio_pci_create(struct vm *vm, struct virtio_vdev *v, uint64_t bar_address, uint64_t bar_size,
			       unsigned irq, const char **why)
{
	if (bar_size < BAR_SIZE || (bar_size & (bar_size - 1)) || (bar_address & (bar_size - 1))) {
		*why = "a virtio-pci window is a power of two of at least 0x4000 bytes, aligned to its size";
		return NULL;
	}
	if (irq > 0xff) {
		*why = "its interrupt is not a GSI below 256";
		return NULL;
	}
	struct virtio_pci *p = kzalloc(sizeof(*p));
	if (!p) {
		*why = "out of memory";
		return NULL;
	}
	p->v = v;
	p->vm = vm;
	uint8_t *c = p->fn.config;
	put16(c + PCI_VENDOR_ID, 0x1af4);                              /* 4.1.2 */
	put16(c + PCI_DEVICE_ID, (uint16_t)(0x1040 + v->device_id)); /* modern: 0x1040 + device id */
	c[PCI_REVISION] = 1;                                           /* 4.1.2.1: 1 or more, modern */
	set_class(c, v->device_id);
	put16(c + PCI_STATUS, PCI_STATUS_CAPABILITIES);
	put16(c + PCI_SUBSYSTEM_VENDOR_ID, 0x1af4);
	put16(c + PCI_SUBSYSTEM_ID, 0x40);                             /* 4.1.2.1: 0x40 or higher */
	c[PCI_CAPABILITIES] = CAPS_START;
	c[PCI_INTERRUPT_LINE] = (uint8_t)irq;
	c[PCI_INTERRUPT_PIN] = 1;                                      /* INTA# */
	/* A device without configuration fields has no DEVICE_CFG capability (4.1.4.6: its length
	 * would be 0, which drivers refuse). */
	bool device_cfg = v->ops->config_size != 0;
	put_cap(c, 0x40, 0x50, CAP_COMMON, COMMON, C_SIZE, 16);
	put_cap(c, 0x50, device_cfg ? 0x60 : 0x70, CAP_ISR, ISR, 1, 16);
	if (device_cfg)
		put_cap(c, 0x60, 0x70, CAP_DEVICE, DEVICE, v->ops->config_size, 16);
	put_cap(c, 0x70, CAP_MSIX_AT, CAP_NOTIFY, NOTIFY, NOTIFY_MULTIPLIER * v->queue_count, 20);
	put32(c + 0x70 + 16, NOTIFY_MULTIPLIER);                       /* notify_off_multiplier */
	/* PCI 3.0, 6.8.2.1-6.8.2.5: table size N-1, table and pending bits in BAR 0, the last capability */
	p->msix_count = v->queue_count + 1;
	c[CAP_MSIX_AT] = PCI_CAP_MSIX;
	put16(c + CAP_MSIX_AT + PCI_MSIX_CONTROL, (uint16_t)(p->msix_count - 1));
	put32(c + CAP_MSIX_AT + 4, MSIX_TABLE);
	put32(c + CAP_MSIX_AT + 8, MSIX_PBA);
	p->fn.msix_cap = CAP_MSIX_AT;
	p->fn.msix_control_written = msix_control_written;
	v->transport = p;
	v->send_message = send_message;
	msix_clear(p);
	pci_function_set_bar64(&p->fn, 0, bar_address, bar_size);
	p->fn.owner = p;
	if (pci_bus_add(&vm->pci, &p->fn, 1) < 0) {
		kfree(p);
		*why = "the VM's PCI bus is full";
		return NULL;
	}
	p->bar = (struct vdev){ v->name, bar_address, bar_size, &bar_ops, p };
	return &p->bar;
}
