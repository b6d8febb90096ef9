/* SPDX-License-Identifier: Apache-2.0 */
/* Emulated PLIC for riscv64 VMs (RISC-V PLIC specification 1.0.0: 3 memory map, 4 interrupt
 * priorities, 5 pending bits, 6 enables, 7 thresholds, 8 claim/complete). Contexts follow QEMU's
 * virt machine: context 2h is hart h's M-mode (kept, never delivered), 2h + 1 its S-mode, which
 * drives the vCPU's VSEIP (hvip) whenever a pending, enabled source beats its threshold.
 *
 * A VM owns the sources of its own devices (the irq of each emulated device and of each
 * passthrough device in its config); enable bits of sources it does not own read as zero and
 * cannot be set, so it can neither enable nor claim them. Lines are level-triggered: a source is
 * pending while its line is high and it is not being handled (claimed and not yet completed).
 *
 * With interrupt_mode = "passthrough", the physical PLIC sources of its passthrough devices (the
 * tuple's irq, a passed device-tree node's interrupts) are the VM's too: when one fires, the host
 * masks it and raises the VM's line; the guest's completion lowers the line and unmasks the
 * source, so a device that still asserts it interrupts again (as vgic_passthrough.c on aarch64). */
#include "vdev/models.h"
#include "virt/arch_vm.h"
#include "virt_impl/guest.h"
#include "virt_impl/source_bits.h"
#include "virt_impl/hcsr.h"
#include "kernel/irq.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "vmm/vcpu.h"
#include "vmm/virq.h"
#include "vmm/vm.h"

#define VPLIC_WORDS (VPLIC_SOURCES / 32)
_Static_assert(VPLIC_SOURCES % 32 == 0, "whole enable words");
#define PRIORITY_MAX 7
#define PENDING_BASE 0x1000
#define ENABLE_BASE 0x2000
#define ENABLE_STRIDE 0x80
#define CONTEXT_BASE 0x200000
#define CONTEXT_STRIDE 0x1000

struct vplic_context {
	uint32_t enable[VPLIC_WORDS];
	uint32_t threshold;
};

struct vplic {
	struct vdev dev;
	struct vm *vm;
	struct spinlock lock;
	unsigned context_count;
	uint32_t priority[VPLIC_SOURCES];
	uint32_t owned[VPLIC_WORDS];
	uint32_t level[VPLIC_WORDS];
	uint32_t pending[VPLIC_WORDS];
	uint32_t in_service[VPLIC_WORDS];
	uint32_t passthrough[VPLIC_WORDS]; /* sources that are the host's, given to this VM */
	uint32_t edge_latched[VPLIC_WORDS]; /* an edge came while in service: pending at completion */
	struct vplic_context *contexts;
};

/* The source context c would get at a claim: the highest priority pending enabled source above
 * the threshold, the lowest id among equals (8); 0 when none. Lock held. */
static unsigned best_source(struct vplic *p, unsigned c)
{
	unsigned best = 0, best_priority = p->contexts[c].threshold;
	/* A word of sources at a time, only those both pending and enabled looked at (ascending, so
	 * a later one wins only with a higher priority): every interrupt, claim and completion asks
	 * this, and a source at a time cost some 1000 instructions each on 127 sources. Source 0
	 * does not exist (its bits are never set). */
	for (unsigned w = 0; w < VPLIC_WORDS; w++) {
		uint32_t candidates = p->pending[w] & p->contexts[c].enable[w];
		while (candidates) {
			unsigned n = w * 32 + (unsigned)__builtin_ctz(candidates);
			candidates &= candidates - 1;
			if (n != 0 && p->priority[n] > best_priority) {
				best = n;
				best_priority = p->priority[n];
			}
		}
	}
	return best;
}

/* Recomputes every vCPU's external interrupt line. Lock held. */
static void update_lines(struct vplic *p)
{
	for (unsigned h = 0; h < p->vm->vcpu_count && 2 * h + 1 < p->context_count; h++) {
		bool level = best_source(p, 2 * h + 1) != 0;
		struct vcpu *vcpu = p->vm->vcpus[h];
		bool now = (__atomic_load_n(&vcpu->arch.irq_lines, __ATOMIC_ACQUIRE) & HVIP_VSEIP) != 0;
		if (level != now)
			riscv_vcpu_set_irq_line(vcpu, HVIP_VSEIP, level);
	}
}

static void vplic_set_level(struct vm *vm, unsigned irq, bool level)
{
	struct vplic *p = vm->virq_priv;
	if (irq == 0 || irq >= VPLIC_SOURCES)
		return;
	unsigned long flags = spin_lock_irqsave(&p->lock);
	set_bit_to(p->level, irq, level);
	if (!bit(p->in_service, irq))
		set_bit_to(p->pending, irq, level);
	update_lines(p);
	spin_unlock_irqrestore(&p->lock, flags);
}

/* An edge (virq ops): the gateway forwards one request, pending until claimed; an edge while the
 * source is in service waits for its completion (PLIC spec 1.0.0, 7: the gateway holds further
 * requests until then). Edges meanwhile coalesce. */
static void vplic_pulse(struct vm *vm, unsigned irq)
{
	struct vplic *p = vm->virq_priv;
	if (irq == 0 || irq >= VPLIC_SOURCES)
		return;
	unsigned long flags = spin_lock_irqsave(&p->lock);
	if (bit(p->in_service, irq))
		set_bit_to(p->edge_latched, irq, true);
	else if (!bit(p->pending, irq)) {
		set_bit_to(p->pending, irq, true);
		update_lines(p);
	}
	spin_unlock_irqrestore(&p->lock, flags);
}

static const struct virq_ops vplic_virq_ops = {
	.set_level = vplic_set_level,
	.pulse = vplic_pulse,
};

static unsigned claim(struct vplic *p, unsigned c)
{
	unsigned n = best_source(p, c);
	if (n) {
		set_bit_to(p->pending, n, false);
		set_bit_to(p->in_service, n, true);
	}
	update_lines(p);
	return n;
}

/* A completion for a source not enabled for the context is ignored (8). */
static void complete(struct vplic *p, unsigned c, uint64_t n)
{
	if (n == 0 || n >= VPLIC_SOURCES || !bit(p->contexts[c].enable, (unsigned)n))
		return;
	set_bit_to(p->in_service, (unsigned)n, false);
	if (bit(p->passthrough, (unsigned)n)) {
		/* The device speaks for itself again: its line is the host source's. */
		set_bit_to(p->level, (unsigned)n, false);
		irq_enable((unsigned)n);
	}
	if (bit(p->level, (unsigned)n) || bit(p->edge_latched, (unsigned)n))
		set_bit_to(p->pending, (unsigned)n, true);
	set_bit_to(p->edge_latched, (unsigned)n, false);
	update_lines(p);
}

static int vplic_read(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t *value)
{
	struct vplic *p = dev->priv;
	if (width != 4 || (offset & 3))
		return -EINVAL; /* the PLIC's registers are 32-bit words (3) */
	unsigned long flags = spin_lock_irqsave(&p->lock);
	*value = 0;
	if (offset < PENDING_BASE) {
		*value = p->priority[offset / 4 % VPLIC_SOURCES];
	} else if (offset < PENDING_BASE + VPLIC_WORDS * 4) {
		*value = p->pending[(offset - PENDING_BASE) / 4];
	} else if (offset >= ENABLE_BASE && offset < ENABLE_BASE + (uint64_t)p->context_count * ENABLE_STRIDE) {
		unsigned c = (unsigned)((offset - ENABLE_BASE) / ENABLE_STRIDE), w = (unsigned)((offset - ENABLE_BASE) % ENABLE_STRIDE / 4);
		*value = w < VPLIC_WORDS ? p->contexts[c].enable[w] : 0;
	} else if (offset >= CONTEXT_BASE && offset < CONTEXT_BASE + (uint64_t)p->context_count * CONTEXT_STRIDE) {
		unsigned c = (unsigned)((offset - CONTEXT_BASE) / CONTEXT_STRIDE);
		uint64_t reg = (offset - CONTEXT_BASE) % CONTEXT_STRIDE;
		if (reg == 0)
			*value = p->contexts[c].threshold;
		else if (reg == 4)
			*value = claim(p, c);
	}
	spin_unlock_irqrestore(&p->lock, flags);
	return 0;
}

static int vplic_write(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t value)
{
	struct vplic *p = dev->priv;
	if (width != 4 || (offset & 3))
		return -EINVAL;
	unsigned long flags = spin_lock_irqsave(&p->lock);
	if (offset < PENDING_BASE) {
		unsigned n = (unsigned)(offset / 4 % VPLIC_SOURCES);
		if (n && bit(p->owned, n))
			p->priority[n] = (uint32_t)value & PRIORITY_MAX;
		update_lines(p);
	} else if (offset >= ENABLE_BASE && offset < ENABLE_BASE + (uint64_t)p->context_count * ENABLE_STRIDE) {
		unsigned c = (unsigned)((offset - ENABLE_BASE) / ENABLE_STRIDE), w = (unsigned)((offset - ENABLE_BASE) % ENABLE_STRIDE / 4);
		if (w < VPLIC_WORDS)
			p->contexts[c].enable[w] = (uint32_t)value & p->owned[w];
		update_lines(p);
	} else if (offset >= CONTEXT_BASE && offset < CONTEXT_BASE + (uint64_t)p->context_count * CONTEXT_STRIDE) {
		unsigned c = (unsigned)((offset - CONTEXT_BASE) / CONTEXT_STRIDE);
		uint64_t reg = (offset - CONTEXT_BASE) % CONTEXT_STRIDE;
		if (reg == 0) {
			p->contexts[c].threshold = (uint32_t)value & PRIORITY_MAX;
			update_lines(p);
		} else if (reg == 4) {
			complete(p, c, value);
		}
	}
	spin_unlock_irqrestore(&p->lock, flags);
	return 0;
}

/* A VM reset or stop (vm_reset_devices, its vCPUs stopped): back to the state the guest first
 * found, priorities 0 and nothing enabled, pending or in service. A claim the guest never
 * completed would otherwise keep its source from ever being pending again in the next boot; and
 * a passthrough source held for the guest (masked at the host from its interrupt to the guest's
 * completion) is the device's again: unmasked at the host, so the next boot hears it. */
static void vplic_reset(struct vdev *dev)
{
	struct vplic *p = dev->priv;
	unsigned long flags = spin_lock_irqsave(&p->lock);
	riscv_release_held_sources(p->passthrough, p->level, VPLIC_WORDS);
	for (unsigned w = 0; w < VPLIC_WORDS; w++)
		p->level[w] = p->pending[w] = p->in_service[w] = p->edge_latched[w] = 0;
	for (unsigned n = 0; n < VPLIC_SOURCES; n++)
		p->priority[n] = 0;
	for (unsigned c = 0; c < p->context_count; c++)
		p->contexts[c] = (struct vplic_context){ .threshold = 0 };
	update_lines(p);
	spin_unlock_irqrestore(&p->lock, flags);
}

/* The VM is gone: its passed-through sources lose their handler (whose argument it was) and stay
 * masked until the hypervisor gives them out again. */
static void vplic_destroy(struct vdev *dev)
{
	struct vplic *p = dev->priv;
	for (unsigned w = 0; w < VPLIC_WORDS; w++)
		for (uint32_t left = p->passthrough[w]; left; left &= left - 1)
			irq_unregister(w * 32 + (unsigned)__builtin_ctz(left));
	kfree(p->contexts);
	kfree(p);
}

static const struct vdev_ops vplic_ops = {
	.read = vplic_read,
	.write = vplic_write,
	.destroy = vplic_destroy,
	.reset = vplic_reset,
};

/* Calls fn for each interrupt source the VM owns: the irq of each of its devices but the PLIC
 * itself, emulated or passed through. */
void riscv_for_each_owned_source(const struct vm_config *c, void (*fn)(void *arg, unsigned irq), void *arg)
{
	for (size_t i = 0; i < c->devices.emu_device_count; i++)
		if (c->devices.emu_devices[i].emu_type != VM_EMU_INTERRUPT_CONTROLLER &&
		    c->devices.emu_devices[i].irq > 0 && c->devices.emu_devices[i].irq < VPLIC_SOURCES)
			fn(arg, (unsigned)c->devices.emu_devices[i].irq);
	for (size_t i = 0; i < c->devices.passthrough_device_count; i++)
		if (c->devices.passthrough_devices[i].irq > 0 && c->devices.passthrough_devices[i].irq < VPLIC_SOURCES)
			fn(arg, (unsigned)c->devices.passthrough_devices[i].irq);
}

static void own(void *arg, unsigned irq)
{
	struct vplic *p = arg;
	set_bit_to(p->owned, irq, true);
}

unsigned vplic_source_count(const struct vm *vm)
{
	const struct vplic *p = vm->virq_priv;
	unsigned highest = 0;
	for (unsigned n = 1; p && n < VPLIC_SOURCES; n++)
		if (bit(p->owned, n))
			highest = n;
	/* highest < VPLIC_SOURCES, a multiple of 32: rounding up stays within the model. */
	return highest | 31;
}

void riscv_vplic_pass(void *model, unsigned source)
{
	struct vplic *p = model;
	unsigned long flags = spin_lock_irqsave(&p->lock);
	set_bit_to(p->owned, source, true);
	set_bit_to(p->passthrough, source, true);
	spin_unlock_irqrestore(&p->lock, flags);
}

struct vdev *riscv_vplic_create(struct vm *vm, const struct vm_emu_device *config)
{
	struct vplic *p = kzalloc(sizeof(*p));
	if (!p)
		return NULL;
	p->vm = vm;
	p->context_count = 2 * vm->vcpu_count;
	p->contexts = kzalloc(sizeof(*p->contexts) * p->context_count);
	if (!p->contexts) {
		kfree(p);
		return NULL;
	}
	/* p->lock: zeroed memory is SPINLOCK_INIT */
	riscv_for_each_owned_source(vm->config, own, p);
	p->dev = (struct vdev){ config->name, config->base_gpa, config->length, &vplic_ops, p };
	vm_set_irqchip(vm, &vplic_virq_ops, p);
	return &p->dev;
}
