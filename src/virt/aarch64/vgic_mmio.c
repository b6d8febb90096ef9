/* SPDX-License-Identifier: Apache-2.0 */
/* Emulated GICv3 distributor and redistributors (IHI0069 12.9 GICD_*, 12.10-12.11 GICR_*).
 * Group 1 only, affinity routing always on (ARE), no LPIs, no security extension (DS = 1). */
#include "virt_impl/vgic.h"
#include "kernel/irq.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "lib/errno.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IIDR 0x0008
#define GICD_TYPER2 0x000c
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ISPENDR 0x0200
#define GICD_ICPENDR 0x0280
#define GICD_ISACTIVER 0x0300
#define GICD_ICACTIVER 0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0c00
#define GICD_IGRPMODR 0x0d00
#define GICD_IROUTER 0x6000
#define GICD_PIDR2 0xffe8

#define GICR_CTLR 0x0000
#define GICR_IIDR 0x0004
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_PIDR2 0xffe8
#define GICR_FRAME_SIZE 0x20000
#define GICR_SGI_BASE 0x10000

#define CTLR_ENABLE_GRP0 (1u << 0)
#define CTLR_ENABLE_GRP1 (1u << 1)
#define CTLR_ARE (1u << 4)
#define CTLR_DS (1u << 6)
#define IIDR_ARM 0x0000043b
#define PIDR2_GICV3 0x3b
#define GICD_DIST_SIZE 0x10000

/* The register banks addressed one bit, two bits or one byte per interrupt. */
enum bank { BANK_NONE, BANK_ENABLE_SET, BANK_ENABLE_CLEAR, BANK_PEND_SET, BANK_PEND_CLEAR,
	    BANK_ACTIVE_SET, BANK_ACTIVE_CLEAR, BANK_GROUP, BANK_GROUP_MODIFIER, BANK_PRIORITY, BANK_CONFIG };

static enum bank bank_at(uint64_t offset, uint64_t *first_irq)
{
	static const struct { uint64_t base; unsigned bits; enum bank bank; } banks[] = {
		{ GICD_IGROUPR, 1, BANK_GROUP },          { GICD_ISENABLER, 1, BANK_ENABLE_SET },
		{ GICD_ICENABLER, 1, BANK_ENABLE_CLEAR }, { GICD_ISPENDR, 1, BANK_PEND_SET },
		{ GICD_ICPENDR, 1, BANK_PEND_CLEAR },     { GICD_ISACTIVER, 1, BANK_ACTIVE_SET },
		{ GICD_ICACTIVER, 1, BANK_ACTIVE_CLEAR }, { GICD_IPRIORITYR, 8, BANK_PRIORITY },
		{ GICD_ICFGR, 2, BANK_CONFIG },           { GICD_IGRPMODR, 1, BANK_GROUP_MODIFIER },
	};
	for (unsigned i = 0; i < sizeof(banks) / sizeof(banks[0]); i++) {
		uint64_t size = (uint64_t)(VGIC_PRIVATE_IRQS + VGIC_SPIS) * banks[i].bits / 8;
		if (offset >= banks[i].base && offset < banks[i].base + size) {
			*first_irq = (offset - banks[i].base) * 8 / banks[i].bits;
			return banks[i].bank;
		}
	}
	return BANK_NONE;
}

/* Reads the field of one interrupt for a bank. */
static uint64_t field_read(const struct vgic_irq *irq, enum bank bank)
{
	switch (bank) {
	case BANK_ENABLE_SET: case BANK_ENABLE_CLEAR: return irq->enabled;
	case BANK_PEND_SET: case BANK_PEND_CLEAR: return vgic_irq_is_pending(irq);
	case BANK_ACTIVE_SET: case BANK_ACTIVE_CLEAR: return irq->active;
	case BANK_GROUP: return 1; /* v3: group 1 (the v2 distributor answers 0 itself) */
	case BANK_PRIORITY: return irq->priority;
	case BANK_CONFIG: return irq->edge ? 2 : 0;
	default: return 0;
	}
}

static void field_write(struct vgic_irq *irq, enum bank bank, uint64_t value, unsigned intid)
{
	bool held = irq->host_intid && (irq->active || irq->pending_latch);
	switch (bank) {
	case BANK_ENABLE_SET: if (value) irq->enabled = true; break;
	case BANK_ENABLE_CLEAR: if (value) irq->enabled = false; break;
	case BANK_PEND_SET: if (value) irq->pending_latch = true; break;
	case BANK_PEND_CLEAR: if (value) irq->pending_latch = false; break;
	case BANK_ACTIVE_SET: if (value) irq->active = true; break;
	case BANK_ACTIVE_CLEAR: if (value) irq->active = false; break;
	case BANK_PRIORITY: irq->priority = (uint8_t)(value & 0xf8); break;
	case BANK_CONFIG: if (intid >= 16) irq->edge = (value & 2) != 0; break; /* SGIs stay edge */
	default: break;
	}
	/* A passthrough SPI the guest cleared at its distributor instead of ending it: the physical
	 * one, held active for the guest's end of interrupt, would otherwise never fire again. */
	if (held && !irq->active && !irq->pending_latch)
		irq_deactivate(irq->host_intid);
}

static unsigned bits_per_irq(enum bank bank)
{
	return bank == BANK_PRIORITY ? 8 : bank == BANK_CONFIG ? 2 : 1;
}

/* A bank access covering interrupts [first, first + width*8/bits) of one vCPU's view. */
static int bank_access(struct vgic *vgic, struct vcpu *vcpu, enum bank bank, uint64_t first,
		       unsigned width, bool write, uint64_t *value, bool private_view)
{
	unsigned bits = bits_per_irq(bank);
	unsigned count = width * 8 / bits;
	uint64_t result = 0;
	bool kick = false;
	unsigned long flags;
	vgic_lock(vgic, &flags);
	for (unsigned i = 0; i < count; i++) {
		unsigned intid = (unsigned)first + i;
		/* With affinity routing, GICD's SGI/PPI registers are RAZ/WI: GICR has them. */
		if (!private_view && intid < VGIC_PRIVATE_IRQS)
			continue;
		if (private_view && intid >= VGIC_PRIVATE_IRQS)
			continue;
		struct vgic_irq *irq = vgic_irq_of(vgic, vcpu, intid);
		if (!irq)
			continue;
		if (write) {
			uint64_t field = (*value >> (i * bits)) & ((1ULL << bits) - 1);
			if (intid == VGIC_VTIMER_INTID)
				vgic_vtimer_fast_disarm(vcpu); /* its enable, priority or state changes */
			field_write(irq, bank, field, intid);
			vgic_watch(vgic, vcpu, intid);
			kick |= field && (bank == BANK_ENABLE_SET || bank == BANK_PEND_SET);
		} else {
			result |= field_read(irq, bank) << (i * bits);
		}
	}
	vgic_unlock(vgic, flags);
	if (!write)
		*value = result;
	if (kick)
		for (unsigned v = 0; v < vgic->vm->vcpu_count; v++)
			vcpu_kick(vgic->vm->vcpus[v]);
	return 0;
}

static struct vcpu *vcpu_of_affinity(struct vm *vm, uint64_t route)
{
	uint64_t affinity = (route & 0xffffff) | ((route >> 32 & 0xff) << 32);
	struct vcpu *vcpu = vcpu_find_by_guest_id(vm, affinity);
	return vcpu ? vcpu : vm->vcpus[0];
}

static int distributor_read(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t *value)
{
	struct vgic *vgic = dev->priv;
	uint64_t first;
	enum bank bank = bank_at(offset, &first);
	if (bank != BANK_NONE)
		return bank_access(vgic, vgic->vm->vcpus[0], bank, first, width, false, value, false);
	if (offset >= GICD_IROUTER + 8 * VGIC_PRIVATE_IRQS && offset < GICD_IROUTER + 8 * (VGIC_PRIVATE_IRQS + VGIC_SPIS)) {
		unsigned spi = (unsigned)((offset - GICD_IROUTER) / 8) - VGIC_PRIVATE_IRQS;
		uint64_t route = vgic->spis[spi].route;
		*value = (offset & 4) ? route >> 32 : (width == 8 ? route : (uint32_t)route);
		return 0;
	}
	switch (offset) {
	case GICD_CTLR: *value = vgic->ctlr | CTLR_ARE | CTLR_DS; break;
	/* ITLinesNumber [4:0], IDbits [23:19] = 9 (10-bit INTIDs), no LPIs, no MBIs. */
	case GICD_TYPER: *value = vgic_it_lines_number(vgic) | (9u << 19); break;
	case GICD_IIDR: *value = IIDR_ARM; break;
	case GICD_PIDR2: *value = PIDR2_GICV3; break;
	default: *value = 0; break;
	}
	return 0;
}

static int distributor_write(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t value)
{
	struct vgic *vgic = dev->priv;
	uint64_t first;
	enum bank bank = bank_at(offset, &first);
	if (bank != BANK_NONE)
		return bank_access(vgic, vgic->vm->vcpus[0], bank, first, width, true, &value, false);
	if (offset >= GICD_IROUTER + 8 * VGIC_PRIVATE_IRQS && offset < GICD_IROUTER + 8 * (VGIC_PRIVATE_IRQS + VGIC_SPIS)) {
		unsigned spi = (unsigned)((offset - GICD_IROUTER) / 8) - VGIC_PRIVATE_IRQS;
		unsigned long flags;
		vgic_lock(vgic, &flags);
		struct vgic_irq *irq = &vgic->spis[spi];
		if (width == 8)
			irq->route = value;
		else if (offset & 4)
			irq->route = (irq->route & 0xffffffffULL) | (value << 32);
		else
			irq->route = (irq->route & ~0xffffffffULL) | (uint32_t)value;
		irq->target = vcpu_of_affinity(vgic->vm, irq->route)->id;
		vgic_watch(vgic, NULL, VGIC_PRIVATE_IRQS + spi);
		vgic_unlock(vgic, flags);
		return 0;
	}
	if (offset == GICD_CTLR) {
		vgic->ctlr = (uint32_t)value & (CTLR_ENABLE_GRP0 | CTLR_ENABLE_GRP1);
		for (unsigned v = 0; v < vgic->vm->vcpu_count; v++) {
			vgic_vtimer_fast_disarm(vgic->vm->vcpus[v]);
			vcpu_kick(vgic->vm->vcpus[v]);
		}
	}
	return 0;
}

static int redistributor_access(struct vdev *dev, uint64_t offset, unsigned width, bool write, uint64_t *value)
{
	struct vgic *vgic = dev->priv;
	struct vm *vm = vgic->vm;
	unsigned index = (unsigned)(offset / GICR_FRAME_SIZE);
	if (index >= vm->vcpu_count) {
		*value = 0;
		return 0;
	}
	struct vcpu *vcpu = vm->vcpus[index];
	uint64_t reg = offset % GICR_FRAME_SIZE;
	if (reg >= GICR_SGI_BASE) {
		uint64_t first;
		enum bank bank = bank_at(reg - GICR_SGI_BASE, &first);
		if (bank != BANK_NONE && first < VGIC_PRIVATE_IRQS)
			return bank_access(vgic, vcpu, bank, first, width, write, value, true);
		if (!write)
			*value = 0;
		return 0;
	}
	if (write) {
		if (reg == GICR_WAKER) {
			/* ChildrenAsleep follows ProcessorSleep at once. */
			vcpu->arch.vgic.waker = (*value & 2) ? 0x6 : 0;
		}
		return 0;
	}
	switch (reg) {
	case GICR_CTLR: *value = 0; break;
	case GICR_IIDR: *value = IIDR_ARM; break;
	case GICR_TYPER:
	case GICR_TYPER + 4: {
		/* Affinity [63:32], processor number [23:8], Last [4]. */
		uint64_t id = vcpu->guest_id;
		uint64_t affinity = (id & 0xffffff) | ((id >> 32 & 0xff) << 24);
		uint64_t typer = affinity << 32 | (uint64_t)index << 8 | (index == vm->vcpu_count - 1 ? 1u << 4 : 0);
		*value = reg == GICR_TYPER ? (width == 8 ? typer : (uint32_t)typer) : typer >> 32;
		break;
	}
	case GICR_WAKER: *value = vcpu->arch.vgic.waker; break;
	case GICR_PIDR2: *value = PIDR2_GICV3; break;
	default: *value = 0; break;
	}
	return 0;
}

static int redistributor_read(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t *value)
{
	return redistributor_access(dev, offset, width, false, value);
}

static int redistributor_write(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t value)
{
	return redistributor_access(dev, offset, width, true, &value);
}

/* The vGIC is one allocation holding both devices: the distributor frees it. */
static void vgic_destroy(struct vdev *dev)
{
	struct vgic *vgic = dev->priv;
	vgic_release_passthrough(vgic);
	vgic->vm->arch.vgic = NULL;
	kfree(vgic);
}

static void owned_elsewhere(struct vdev *dev)
{
	(void)dev;
}

int vgic_bank_register(struct vgic *vgic, struct vcpu *vcpu, uint64_t offset, unsigned width, bool write,
		       uint64_t *value, bool private_view)
{
	uint64_t first;
	enum bank bank = bank_at(offset, &first);
	if (bank == BANK_NONE)
		return -ENOENT;
	return bank_access(vgic, vcpu, bank, first, width, write, value, private_view);
}

static void distributor_reset(struct vdev *dev)
{
	vgic_reset(dev->priv);
}

static const struct vdev_ops distributor_ops = {
	.read = distributor_read, .write = distributor_write, .destroy = vgic_destroy, .reset = distributor_reset,
};
static const struct vdev_ops redistributor_ops = { .read = redistributor_read, .write = redistributor_write, .destroy = owned_elsewhere };

int vgic_mmio_init(struct vgic *vgic, gpa_t dist_base, gpa_t redist_base)
{
	struct vm *vm = vgic->vm;
	vgic->distributor = (struct vdev){ "vgic-distributor", dist_base, GICD_DIST_SIZE, &distributor_ops, vgic };
	vgic->redistributors = (struct vdev){ "vgic-redistributors", redist_base,
					      (uint64_t)vm->vcpu_count * GICR_FRAME_SIZE, &redistributor_ops, vgic };
	struct vdev *conflict = NULL;
	int err = vdev_bus_add(&vm->mmio_bus, &vgic->distributor, &conflict);
	if (err == 0)
		err = vdev_bus_add(&vm->mmio_bus, &vgic->redistributors, &conflict);
	if (err < 0)
		vm_log_error(vm, "vGIC window overlaps '%s'", conflict ? conflict->name : "?");
	return err;
}
