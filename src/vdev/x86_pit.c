/* SPDX-License-Identifier: Apache-2.0 */
/* The VM's 8254 PIT (see vdev/x86_pc.h): the counters of vdev/i8254.c on ports 0x40-0x43, clocked
 * at 1.193182 MHz from the host's timer (the TSC on x86) since the VM's creation, with the PC's
 * wiring around them (IBM PC/AT Technical Reference; Intel ICH datasheets, "NMI Status and Control
 * Register" at I/O 61h):
 *   - channel 0's OUT is ISA IRQ 0, which the guest's MADT routes to IOAPIC pin 2 (X86_PIT_GSI,
 *     the interrupt source override every PC has): each rising edge is an edge on that line;
 *   - channel 1 (DRAM refresh once) has GATE high and no output anyone sees;
 *   - channel 2's GATE is bit 0 of port 61h and its OUT reads back as bit 5; bit 1 (speaker data)
 *     and bits 2-3 (NMI enables) are kept as written, bit 4 toggles with every refresh request
 *     (each 18 PIT ticks, about 15 us), and the NMI sources (bits 6-7) read 0.
 * Channel 0's edges come from a host timer event armed for the next one; an edge the host could
 * not deliver in time (the period shorter than MIN_INTERRUPT_GAP_NS, or the host busy) merges with
 * the next, as edges do on a line the guest has not yet acknowledged. */
#include "vdev/i8254.h"
#include "vdev/x86_pc.h"
#include "vmm/vdev.h"
#include "vmm/virq.h"
#include "vmm/vm.h"
#include "arch/timer.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "kernel/timer.h"
#include "lib/errno.h"

#define PORT_B_GATE2 0x01
#define PORT_B_WRITABLE 0x0f   /* gate 2, speaker data, SERR# and IOCHK# NMI enables */
#define PORT_B_REFRESH 0x10
#define PORT_B_OUT2 0x20
#define REFRESH_TICKS 18       /* the PC/AT's refresh period in PIT ticks (channel 1, mode 2, 18) */
/* Faster than this the host would spend itself on a guest's timer: edges closer merge. */
#define MIN_INTERRUPT_GAP_NS 50000ULL

struct x86_pit {
	struct vdev counters;      /* 0x40-0x43 */
	struct vdev port_b;        /* 0x61 */
	struct vm *vm;
	struct spinlock lock;
	struct i8254 pit;
	uint64_t epoch;            /* host timer ticks at tick 0 */
	uint8_t port_b_value;      /* the writable bits of 61h */
	uint64_t next_edge;        /* the channel 0 edge irq_timer is armed for, or UINT64_MAX */
	struct timer_event irq_timer;
};

/* Host timer ticks since the epoch in PIT ticks, and back: split so that neither overflows 64 bits
 * (the remainder times the other frequency stays below 2^52 for host clocks below 4 GHz). */
static uint64_t pit_now(const struct x86_pit *p)
{
	uint64_t host = arch_timer_now() - p->epoch, frequency = arch_timer_frequency();
	return host / frequency * I8254_FREQUENCY_HZ + host % frequency * I8254_FREQUENCY_HZ / frequency;
}

static uint64_t host_deadline(const struct x86_pit *p, uint64_t pit_tick)
{
	uint64_t frequency = arch_timer_frequency();
	uint64_t rest = pit_tick % I8254_FREQUENCY_HZ;
	return p->epoch + pit_tick / I8254_FREQUENCY_HZ * frequency +
	       (rest * frequency + I8254_FREQUENCY_HZ - 1) / I8254_FREQUENCY_HZ; /* rounded up: at or after the edge */
}

static void edge_due(struct timer_event *event, void *arg);

/* Arms the timer for channel 0's next rising edge (or disarms it); with the lock held. */
static void schedule_edge(struct x86_pit *p, uint64_t now)
{
	uint64_t edge = i8254_next_rising_edge(&p->pit, 0, now);
	p->next_edge = edge;
	if (edge == UINT64_MAX) {
		timer_cancel(&p->irq_timer);
		return;
	}
	uint64_t deadline = host_deadline(p, edge);
	uint64_t earliest = arch_timer_now() + timer_ns_to_ticks(MIN_INTERRUPT_GAP_NS);
	timer_arm(&p->irq_timer, deadline > earliest ? deadline : earliest, edge_due, p);
}

static void edge_due(struct timer_event *event, void *arg)
{
	(void)event;
	struct x86_pit *p = arg;
	unsigned long flags = spin_lock_irqsave(&p->lock);
	uint64_t now = pit_now(p);
	/* The guest may have reprogrammed channel 0 since this was armed: an edge counts only if it
	 * is the one still expected, and has come. */
	bool fire = p->next_edge != UINT64_MAX && now >= p->next_edge;
	if (p->next_edge != UINT64_MAX)
		schedule_edge(p, now); /* the next period's edge, or this one again if the host was early */
	spin_unlock_irqrestore(&p->lock, flags);
	if (fire) {
		vm_irq_set(p->vm, X86_PIT_GSI, true);
		vm_irq_set(p->vm, X86_PIT_GSI, false);
	}
}

static int counters_read(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t *value)
{
	struct x86_pit *p = dev->priv;
	unsigned long flags = spin_lock_irqsave(&p->lock);
	uint64_t now = pit_now(p), v = 0;
	/* A wider access reads the ports one after another, as the bus would split it. */
	for (unsigned i = 0; i < width && offset + i < 4; i++)
		v |= (uint64_t)i8254_read(&p->pit, (unsigned)offset + i, now) << (8 * i);
	spin_unlock_irqrestore(&p->lock, flags);
	*value = v;
	return 0;
}

static int counters_write(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t value)
{
	struct x86_pit *p = dev->priv;
	unsigned long flags = spin_lock_irqsave(&p->lock);
	uint64_t now = pit_now(p);
	for (unsigned i = 0; i < width && offset + i < 4; i++)
		i8254_write(&p->pit, (unsigned)offset + i, (uint8_t)(value >> (8 * i)), now);
	uint64_t edge = i8254_next_rising_edge(&p->pit, 0, now);
	if (edge != p->next_edge)
		schedule_edge(p, now);
	spin_unlock_irqrestore(&p->lock, flags);
	return 0;
}

static int port_b_read(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t *value)
{
	(void)offset; (void)width;
	struct x86_pit *p = dev->priv;
	unsigned long flags = spin_lock_irqsave(&p->lock);
	uint64_t now = pit_now(p);
	uint8_t v = p->port_b_value;
	if ((now / REFRESH_TICKS) & 1)
		v |= PORT_B_REFRESH;
	if (i8254_output(&p->pit, 2, now))
		v |= PORT_B_OUT2;
	spin_unlock_irqrestore(&p->lock, flags);
	*value = v;
	return 0;
}

static int port_b_write(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t value)
{
	(void)offset; (void)width;
	struct x86_pit *p = dev->priv;
	unsigned long flags = spin_lock_irqsave(&p->lock);
	p->port_b_value = (uint8_t)(value & PORT_B_WRITABLE);
	i8254_set_gate(&p->pit, 2, value & PORT_B_GATE2, pit_now(p));
	spin_unlock_irqrestore(&p->lock, flags);
	return 0;
}

/* The counters' device owns the block: its timer stops before the memory goes. */
static void pit_destroy(struct vdev *dev)
{
	struct x86_pit *p = dev->priv;
	timer_cancel(&p->irq_timer);
	kfree(p);
}

static void port_b_destroy(struct vdev *dev)
{
	(void)dev; /* part of the counters' block */
}

/* The VM resets (vm_reset_devices): the counters go back to power-on. */
static void pit_reset(struct vdev *dev)
{
	struct x86_pit *p = dev->priv;
	unsigned long flags = spin_lock_irqsave(&p->lock);
	timer_cancel(&p->irq_timer);
	i8254_init(&p->pit);
	p->port_b_value = 0;
	p->next_edge = UINT64_MAX;
	p->epoch = arch_timer_now();
	spin_unlock_irqrestore(&p->lock, flags);
}

static const struct vdev_ops counters_ops = { .read = counters_read, .write = counters_write, .destroy = pit_destroy,
					      .reset = pit_reset };
static const struct vdev_ops port_b_ops = { .read = port_b_read, .write = port_b_write, .destroy = port_b_destroy };

int x86_pit_create(struct vm *vm)
{
	struct x86_pit *p = kzalloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->vm = vm;
	i8254_init(&p->pit);
	p->next_edge = UINT64_MAX;
	p->epoch = arch_timer_now();
	p->counters = (struct vdev){ "i8254 PIT", 0x40, 4, &counters_ops, p };
	p->port_b = (struct vdev){ "PIT gate and output (port B)", 0x61, 1, &port_b_ops, p };
	struct vdev *conflict;
	int err = vdev_bus_add(&vm->pio_bus, &p->counters, &conflict);
	if (err < 0) {
		kfree(p);
		return err;
	}
	/* From here the bus owns the block (pit_destroy frees it with the VM's devices). */
	err = vdev_bus_add(&vm->pio_bus, &p->port_b, &conflict);
	return err < 0 ? err : 0;
}
