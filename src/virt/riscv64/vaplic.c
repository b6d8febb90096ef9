/* SPDX-License-Identifier: Apache-2.0 */
/* An emulated APLIC domain in MSI delivery mode for VMs with IMSIC guest files (RISC-V AIA 1.0,
 * chapter 4: 4.5 the register map, 4.7 pending and enable bits, 4.9 MSI delivery). The guest
 * sees the only domain of its machine, in MSI mode (domaincfg.DM reads 1 and cannot change, as on
 * QEMU's): each source the VM owns (the irq of each of its devices, as with the vPLIC) has a
 * mode, an enable, a pending bit and a target (a vCPU's hart index and an identity). When an
 * active, enabled source becomes pending while the domain's IE is on, its message goes to the
 * target vCPU's guest interrupt file (imsic_guest.c) and the pending bit clears (4.9.1): the
 * vCPU takes it without an exit if it is running.
 * Level sources (Level1, Level0) are pending from a rising edge of their rectified input, and the
 * guest's setipnum makes them pending again only while the input is asserted (4.9.2: Linux writes
 * it at the end of each level interrupt, which then costs one exit). Edge and detached sources are
 * pending from an edge (or a pulse) and from setip/setipnum.
 * With interrupt_mode = "passthrough", a passed-through device's host source is not a line of this
 * model: the host APLIC sends it straight to the target vCPU's guest interrupt file (a target's
 * Guest Index, 4.5.16; drivers/aia.h aia_source_to_guest) in the guest's own mode, identity and
 * enable, mirrored at each write that changes them (route_passthrough). The device's interrupt
 * then reaches a running vCPU with no exit at all; the guest's setipnum, clripnum and reads of
 * the source's pending and input bits go to the host APLIC, which applies the same rules. A reset
 * makes the source inactive again, the VM's end gives it back to the hypervisor. */
#include "vdev/models.h"
#include "virt/arch_vm.h"
#include "virt_impl/guest.h"
#include "virt_impl/source_bits.h"
#include "drivers/aia.h"
#include "kernel/mm.h"
#include "kernel/irq.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "vmm/vcpu.h"
#include "vmm/virq.h"
#include "vmm/vm.h"

#define SOURCES VPLIC_SOURCES /* 1..127, the same numbering as the vPLIC's */
#define WORDS (SOURCES / 32)

#define DOMAINCFG 0x0000
#define DOMAINCFG_READ_AS_ONE 0x80000000u /* 4.5.1: bits 31:24 read 0x80 */
#define DOMAINCFG_IE (1u << 8)
#define DOMAINCFG_DM (1u << 2)
#define SOURCECFG_FIRST 0x0004
#define SOURCECFG_LAST 0x0ffc
#define SOURCECFG_D (1u << 10)
#define SM_INACTIVE 0u
#define SM_DETACHED 1u
#define SM_EDGE1 4u
#define SM_EDGE0 5u
#define SM_LEVEL1 6u
#define SM_LEVEL0 7u
#define SETIP 0x1c00
#define SETIPNUM 0x1cdc
#define IN_CLRIP 0x1d00
#define CLRIPNUM 0x1ddc
#define SETIE 0x1e00
#define SETIENUM 0x1edc
#define CLRIE 0x1f00
#define CLRIENUM 0x1fdc
#define SETIPNUM_LE 0x2000
#define SETIPNUM_BE 0x2004
#define GENMSI 0x3000
#define TARGET_FIRST 0x3004
#define TARGET_LAST 0x3ffc
#define TARGET_HART_SHIFT 18
#define TARGET_EIID_MASK 0x7ffu
#define WORD_REGS_END 0x80 /* setip[0..31] and the like span 0x80 bytes */

struct vaplic {
	struct vdev dev;
	struct vm *vm;
	struct spinlock lock;
	uint32_t domaincfg; /* IE only; DM and the top byte are added at reads */
	uint32_t mode[SOURCES];
	uint32_t target[SOURCES];
	uint32_t owned[WORDS];
	uint32_t input[WORDS];   /* the lines' levels as the devices drive them */
	uint32_t pending[WORDS];
	uint32_t enabled[WORDS];
	uint32_t passthrough[WORDS];
	uint32_t genmsi;
};

static bool is_level(uint32_t mode)
{
	return mode == SM_LEVEL1 || mode == SM_LEVEL0;
}

/* The rectified input (4.7): the line, inverted for the low modes; 0 when inactive or detached. */
static bool rectified(const struct vaplic *p, unsigned n)
{
	if (bit(p->passthrough, n))
		return aia_source_input(n);
	switch (p->mode[n]) {
	case SM_EDGE1:
	case SM_LEVEL1:
		return bit(p->input, n);
	case SM_EDGE0:
	case SM_LEVEL0:
		return !bit(p->input, n);
	default:
		return false;
	}
}

/* A message to hart index `hart`'s file, identity `eiid` (4.9.1, genmsi 4.5.15). */
static void send_msi(struct vaplic *p, uint32_t hart, uint32_t eiid)
{
	struct vm *vm = p->vm;
	if (hart < vm->vcpu_count)
		riscv_imsic_send(vm->vcpus[hart], eiid);
}

/* A passed-through source's host APLIC set-up from the guest's view of it (see the top): its mode,
 * its target vCPU's file and identity, enabled while the guest's would deliver. Lock held. */
static void route_passthrough(struct vaplic *p, unsigned n)
{
	struct vm *vm = p->vm;
	unsigned hart = p->target[n] >> TARGET_HART_SHIFT;
	bool on = (p->domaincfg & DOMAINCFG_IE) && bit(p->enabled, n) && p->mode[n] != SM_INACTIVE && hart < vm->vcpu_count;
	const struct riscv_imsic_file *f = &vm->arch.imsic_files[hart < vm->vcpu_count ? hart : 0];
	aia_source_to_guest(n, f->cpu, f->file, p->target[n] & TARGET_EIID_MASK, p->mode[n], on);
}

/* Those of word w's sources in `which`. */
static void route_passthrough_word(struct vaplic *p, unsigned w, uint32_t which)
{
	for (uint32_t left = which & p->passthrough[w]; left; left &= left - 1)
		route_passthrough(p, w * 32 + (unsigned)__builtin_ctz(left));
}

static void route_all_passthrough(struct vaplic *p)
{
	for (unsigned w = 0; w < WORDS; w++)
		route_passthrough_word(p, w, ~0u);
}

/* Sends what is pending and enabled while IE is on (4.9.1). Lock held. */
static void deliver(struct vaplic *p, unsigned n)
{
	if (!(p->domaincfg & DOMAINCFG_IE) || !bit(p->pending, n) || !bit(p->enabled, n) || p->mode[n] == SM_INACTIVE)
		return;
	set_bit_to(p->pending, n, false);
	send_msi(p, p->target[n] >> TARGET_HART_SHIFT, p->target[n] & TARGET_EIID_MASK);
}

static void deliver_all(struct vaplic *p)
{
	for (unsigned n = 1; n < SOURCES; n++)
		deliver(p, n);
}

static void make_pending(struct vaplic *p, unsigned n)
{
	if (n == 0 || n >= SOURCES || p->mode[n] == SM_INACTIVE)
		return;
	set_bit_to(p->pending, n, true);
	deliver(p, n);
}

static void vaplic_set_level(struct vm *vm, unsigned irq, bool level)
{
	struct vaplic *p = vm->virq_priv;
	if (irq == 0 || irq >= SOURCES)
		return;
	unsigned long flags = spin_lock_irqsave(&p->lock);
	bool before = rectified(p, irq);
	set_bit_to(p->input, irq, level);
	bool after = rectified(p, irq);
	if (!before && after && p->mode[irq] != SM_DETACHED)
		make_pending(p, irq);
	else if (before && !after && is_level(p->mode[irq]))
		set_bit_to(p->pending, irq, false); /* a level source is pending only while asserted */
	spin_unlock_irqrestore(&p->lock, flags);
}

/* An edge whatever the mode (an IVC doorbell): one message. */
static void vaplic_pulse(struct vm *vm, unsigned irq)
{
	struct vaplic *p = vm->virq_priv;
	if (irq == 0 || irq >= SOURCES)
		return;
	unsigned long flags = spin_lock_irqsave(&p->lock);
	make_pending(p, irq);
	spin_unlock_irqrestore(&p->lock, flags);
}

static const struct virq_ops vaplic_virq_ops = {
	.set_level = vaplic_set_level,
	.pulse = vaplic_pulse,
};

/* setip/setipnum (4.7): a level source only while asserted, others at once; a passed-through
 * source's at the host APLIC (Linux's end of a level interrupt). Lock held. */
static void set_pending_by_guest(struct vaplic *p, unsigned n)
{
	if (n == 0 || n >= SOURCES || !bit(p->owned, n))
		return;
	if (bit(p->passthrough, n)) {
		aia_source_set_pending(n, true);
		return;
	}
	if (!is_level(p->mode[n]) || rectified(p, n))
		make_pending(p, n);
}

static void write_mode(struct vaplic *p, unsigned n, uint32_t value)
{
	if (n == 0 || n >= SOURCES || !bit(p->owned, n))
		return;
	uint32_t mode = (value & SOURCECFG_D) ? SM_INACTIVE : value & 7; /* no child domains (4.5.2) */
	if (mode == 2 || mode == 3)
		mode = SM_INACTIVE; /* reserved */
	p->mode[n] = mode;
	if (mode == SM_INACTIVE) {
		set_bit_to(p->pending, n, false);
		set_bit_to(p->enabled, n, false);
	}
	if (bit(p->passthrough, n))
		route_passthrough(p, n);
	else if (mode != SM_INACTIVE && is_level(mode)) {
		set_bit_to(p->pending, n, rectified(p, n));
		deliver(p, n);
	}
}

static uint32_t word_at(const uint32_t *words, uint64_t index)
{
	return index < WORDS ? words[index] : 0;
}

static int vaplic_read(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t *value)
{
	struct vaplic *p = dev->priv;
	if (width != 4 || (offset & 3))
		return -EINVAL; /* 32-bit registers only (4.5) */
	unsigned long flags = spin_lock_irqsave(&p->lock);
	uint32_t v = 0;
	if (offset == DOMAINCFG) {
		v = DOMAINCFG_READ_AS_ONE | p->domaincfg | DOMAINCFG_DM;
	} else if (offset >= SOURCECFG_FIRST && offset <= SOURCECFG_LAST) {
		unsigned n = (unsigned)(offset - SOURCECFG_FIRST) / 4 + 1;
		v = n < SOURCES ? p->mode[n] : 0;
	} else if (offset >= SETIP && offset < SETIP + WORD_REGS_END) {
		uint64_t w = (offset - SETIP) / 4;
		v = word_at(p->pending, w);
		for (uint32_t left = word_at(p->passthrough, w); left; left &= left - 1)
			if (aia_source_pending((unsigned)w * 32 + (unsigned)__builtin_ctz(left)))
				v |= left & -left;
	} else if (offset >= IN_CLRIP && offset < IN_CLRIP + WORD_REGS_END) {
		uint64_t w = (offset - IN_CLRIP) / 4;
		for (unsigned b = 0; b < 32 && w < WORDS; b++)
			v |= (uint32_t)rectified(p, (unsigned)w * 32 + b) << b;
	} else if (offset >= SETIE && offset < SETIE + WORD_REGS_END) {
		v = word_at(p->enabled, (offset - SETIE) / 4);
	} else if (offset == GENMSI) {
		v = p->genmsi; /* Busy (bit 12) never reads 1: the message goes at the write */
	} else if (offset >= TARGET_FIRST && offset <= TARGET_LAST) {
		unsigned n = (unsigned)(offset - TARGET_FIRST) / 4 + 1;
		v = n < SOURCES ? p->target[n] : 0;
	}
	spin_unlock_irqrestore(&p->lock, flags);
	*value = v;
	return 0;
}

static int vaplic_write(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t value)
{
	struct vaplic *p = dev->priv;
	if (width != 4 || (offset & 3))
		return -EINVAL;
	uint32_t v = (uint32_t)value;
	unsigned long flags = spin_lock_irqsave(&p->lock);
	if (offset == DOMAINCFG) {
		p->domaincfg = v & DOMAINCFG_IE;
		deliver_all(p);
		route_all_passthrough(p);
	} else if (offset >= SOURCECFG_FIRST && offset <= SOURCECFG_LAST) {
		write_mode(p, (unsigned)(offset - SOURCECFG_FIRST) / 4 + 1, v);
	} else if (offset >= SETIP && offset < SETIP + WORD_REGS_END) {
		for (unsigned b = 0; b < 32; b++)
			if ((v >> b) & 1)
				set_pending_by_guest(p, (unsigned)(offset - SETIP) / 4 * 32 + b);
	} else if (offset == SETIPNUM || offset == SETIPNUM_LE) {
		set_pending_by_guest(p, v);
	} else if (offset == SETIPNUM_BE) {
		set_pending_by_guest(p, __builtin_bswap32(v));
	} else if (offset >= IN_CLRIP && offset < IN_CLRIP + WORD_REGS_END) {
		uint64_t w = (offset - IN_CLRIP) / 4;
		if (w < WORDS) {
			p->pending[w] &= ~v;
			for (uint32_t left = v & p->passthrough[w]; left; left &= left - 1)
				aia_source_set_pending((unsigned)w * 32 + (unsigned)__builtin_ctz(left), false);
		}
	} else if (offset == CLRIPNUM) {
		if (v < SOURCES && bit(p->passthrough, v))
			aia_source_set_pending(v, false);
		else if (v < SOURCES)
			set_bit_to(p->pending, v, false);
	} else if (offset >= SETIE && offset < SETIE + WORD_REGS_END) {
		uint64_t w = (offset - SETIE) / 4;
		if (w < WORDS) {
			p->enabled[w] |= v & p->owned[w];
			deliver_all(p);
			route_passthrough_word(p, (unsigned)w, v);
		}
	} else if (offset == SETIENUM) {
		if (v < SOURCES && bit(p->owned, v) && p->mode[v] != SM_INACTIVE) {
			set_bit_to(p->enabled, v, true);
			deliver(p, v);
			if (bit(p->passthrough, v))
				route_passthrough(p, v);
		}
	} else if (offset >= CLRIE && offset < CLRIE + WORD_REGS_END) {
		uint64_t w = (offset - CLRIE) / 4;
		if (w < WORDS) {
			p->enabled[w] &= ~v;
			route_passthrough_word(p, (unsigned)w, v);
		}
	} else if (offset == CLRIENUM) {
		if (v < SOURCES) {
			set_bit_to(p->enabled, v, false);
			if (bit(p->passthrough, v))
				route_passthrough(p, v);
		}
	} else if (offset == GENMSI) {
		p->genmsi = v & ((~0u << TARGET_HART_SHIFT) | TARGET_EIID_MASK);
		send_msi(p, v >> TARGET_HART_SHIFT, v & TARGET_EIID_MASK);
	} else if (offset >= TARGET_FIRST && offset <= TARGET_LAST) {
		unsigned n = (unsigned)(offset - TARGET_FIRST) / 4 + 1;
		/* Guest index 0 (the guest's harts have no H), identities within the file's (4.5.16). */
		if (n < SOURCES && bit(p->owned, n)) {
			p->target[n] = (v & ~0u << TARGET_HART_SHIFT) | ((v & TARGET_EIID_MASK) <= aia_num_ids() ? v & TARGET_EIID_MASK : 0);
			if (bit(p->passthrough, n))
				route_passthrough(p, n);
		}
	}
	spin_unlock_irqrestore(&p->lock, flags);
	return 0;
}

/* Power-on (4.5): IE off, every source inactive, nothing pending or enabled; the host APLIC's
 * passed-through sources too. */
static void vaplic_reset(struct vdev *dev)
{
	struct vaplic *p = dev->priv;
	unsigned long flags = spin_lock_irqsave(&p->lock);
	p->domaincfg = 0;
	p->genmsi = 0;
	for (unsigned n = 0; n < SOURCES; n++)
		p->mode[n] = p->target[n] = 0;
	for (unsigned w = 0; w < WORDS; w++)
		p->pending[w] = p->enabled[w] = 0;
	route_all_passthrough(p);
	for (unsigned w = 0; w < WORDS; w++)
		for (uint32_t left = p->passthrough[w]; left; left &= left - 1)
			aia_source_set_pending(w * 32 + (unsigned)__builtin_ctz(left), false);
	spin_unlock_irqrestore(&p->lock, flags);
}

/* The VM is gone: its passed-through sources are the hypervisor's again (level-high, disabled, no
 * handler), before its guest files go to another VM. */
static void vaplic_destroy(struct vdev *dev)
{
	struct vaplic *p = dev->priv;
	for (unsigned w = 0; w < WORDS; w++)
		for (uint32_t left = p->passthrough[w]; left; left &= left - 1) {
			unsigned n = w * 32 + (unsigned)__builtin_ctz(left);
			irq_unregister(n);
			aia_source_to_host(n);
		}
	kfree(p);
}

static const struct vdev_ops vaplic_ops = {
	.read = vaplic_read,
	.write = vaplic_write,
	.destroy = vaplic_destroy,
	.reset = vaplic_reset,
};

static void own(void *arg, unsigned irq)
{
	struct vaplic *p = arg;
	set_bit_to(p->owned, irq, true);
}

void riscv_vaplic_pass(void *model, unsigned source)
{
	struct vaplic *p = model;
	unsigned long flags = spin_lock_irqsave(&p->lock);
	set_bit_to(p->owned, source, true);
	set_bit_to(p->passthrough, source, true);
	route_passthrough(p, source); /* inactive until the guest sets it up */
	spin_unlock_irqrestore(&p->lock, flags);
}

struct vdev *riscv_vaplic_create(struct vm *vm, const struct vm_emu_device *config)
{
	struct vaplic *p = kzalloc(sizeof(*p));
	if (!p)
		return NULL;
	p->vm = vm;
	riscv_for_each_owned_source(vm->config, own, p);
	p->dev = (struct vdev){ config->name, config->base_gpa, config->length, &vaplic_ops, p };
	vm_set_irqchip(vm, &vaplic_virq_ops, p);
	return &p->dev;
}

unsigned riscv_vaplic_source_count(const struct vm *vm)
{
	const struct vaplic *p = vm->virq_priv;
	unsigned highest = 0;
	for (unsigned n = 1; p && n < SOURCES; n++)
		if (bit(p->owned, n))
			highest = n;
	return highest;
}
