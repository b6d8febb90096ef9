/* SPDX-License-Identifier: Apache-2.0 */
/* List registers and the virtual CPU interface (IHI0069 12.4 ICH_* registers). Pending and active
 * interrupts of a vCPU are written into the list registers just before entry and read back just
 * after exit, both inside arch_vcpu_run with interrupts masked; between runs the model holds all
 * state, so only ICH_VMCR and the active-priority registers move with the vCPU (load/put). */
#include "virt_impl/vgic.h"
#include "drivers/gic.h"
#include "arch_impl/sysreg.h"
#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "lib/string.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define ICH_HCR_EN (1ULL << 0)
#define ICH_HCR_NPIE (1ULL << 3) /* maintenance interrupt when no list register is pending */

static unsigned lr_count = 4;

/* The virtual CPU interface of the host GIC: list registers in the GICv3 ICH_LR_EL2 format (the
 * GICv2 backend in vgic_v2_hw.c converts), the control register, and the state that moves with a
 * vCPU (VMCR, active priorities). */
static const struct vgic_hw *hw;
static const struct vgic_hw vgic_v3_hw;
/* A GICv2 host's frames, for guest_irq_exit (struct vtimer_fast's last three fields). */
static struct vtimer_fast v2_frames;

static inline __attribute__((always_inline)) void v3_write_lr(unsigned n, uint64_t v)
{
	switch (n) {
	case 0: write_sysreg(ich_lr0_el2, v); break;
	case 1: write_sysreg(ich_lr1_el2, v); break;
	case 2: write_sysreg(ich_lr2_el2, v); break;
	case 3: write_sysreg(ich_lr3_el2, v); break;
	case 4: write_sysreg(ich_lr4_el2, v); break;
	case 5: write_sysreg(ich_lr5_el2, v); break;
	case 6: write_sysreg(ich_lr6_el2, v); break;
	case 7: write_sysreg(ich_lr7_el2, v); break;
	case 8: write_sysreg(ich_lr8_el2, v); break;
	case 9: write_sysreg(ich_lr9_el2, v); break;
	case 10: write_sysreg(ich_lr10_el2, v); break;
	case 11: write_sysreg(ich_lr11_el2, v); break;
	case 12: write_sysreg(ich_lr12_el2, v); break;
	case 13: write_sysreg(ich_lr13_el2, v); break;
	case 14: write_sysreg(ich_lr14_el2, v); break;
	default: write_sysreg(ich_lr15_el2, v); break;
	}
}

static uint64_t v3_read_lr(unsigned n)
{
	switch (n) {
	case 0: return read_sysreg(ich_lr0_el2);
	case 1: return read_sysreg(ich_lr1_el2);
	case 2: return read_sysreg(ich_lr2_el2);
	case 3: return read_sysreg(ich_lr3_el2);
	case 4: return read_sysreg(ich_lr4_el2);
	case 5: return read_sysreg(ich_lr5_el2);
	case 6: return read_sysreg(ich_lr6_el2);
	case 7: return read_sysreg(ich_lr7_el2);
	case 8: return read_sysreg(ich_lr8_el2);
	case 9: return read_sysreg(ich_lr9_el2);
	case 10: return read_sysreg(ich_lr10_el2);
	case 11: return read_sysreg(ich_lr11_el2);
	case 12: return read_sysreg(ich_lr12_el2);
	case 13: return read_sysreg(ich_lr13_el2);
	case 14: return read_sysreg(ich_lr14_el2);
	default: return read_sysreg(ich_lr15_el2);
	}
}

/* The list register's new content if the guest is done with what it held: ICH_ELRSR_EL2 bit n
 * (IHI0069 12.4.6) is set when it is neither pending nor active and owes no maintenance. */
static bool v3_refill_lr(unsigned n, uint64_t lr)
{
	if (!(read_sysreg(ich_elrsr_el2) >> n & 1))
		return false;
	v3_write_lr(n, lr);
	return true;
}

/* guest_irq_exit's record (virt_impl/vm.h): list register n holds the virtual timer's interrupt,
 * which is to be made pending there again when it fires and the guest has ended it, as
 * inject_in_place would: the value in the host GIC's own list-register format, and on a GICv2 host
 * where its frames are. Never for an interrupt linked to a physical one. */
static __attribute__((noinline)) void vtimer_fast_record(struct vcpu *vcpu, unsigned n, unsigned intid,
							const struct vgic_irq *irq)
{
	struct vtimer_fast *fast = &vcpu->arch.vtimer_fast;
	uint64_t lr = intid | LR_GROUP1 | LR_PENDING | ((uint64_t)irq->priority << LR_PRIORITY_SHIFT);
	if (hw == &vgic_v3_hw) {
		fast->lr_value = lr;
		fast->gicv2_gicc = 0;
	} else {
		if (!v2_frames.gicv2_gicc)
			return;
		fast->lr_value = vgic_v2_lr_value(lr);
		fast->gicv2_gicc = v2_frames.gicv2_gicc;
		fast->gicv2_dir = v2_frames.gicv2_dir;
		fast->gicv2_gich = v2_frames.gicv2_gich;
	}
	__atomic_store_n(&fast->lr, (int64_t)n, __ATOMIC_RELEASE);
}

/* Inline: every other interrupt placed pays one comparison. */
static inline __attribute__((always_inline)) void vtimer_fast_arm(struct vcpu *vcpu, unsigned n, unsigned intid,
								  const struct vgic_irq *irq)
{
	if (intid == VGIC_VTIMER_INTID && !irq->host_intid)
		vtimer_fast_record(vcpu, n, intid, irq);
}

void vgic_vtimer_fast_disarm(struct vcpu *vcpu)
{
	__atomic_store_n(&vcpu->arch.vtimer_fast.lr, -1, __ATOMIC_RELAXED);
}

/* Whether a should go into a list register before b: active ones first (the guest must be able
 * to end them), then by priority (lower value = more urgent). */
static bool before(const struct vgic_irq *a, const struct vgic_irq *b)
{
	if (a->active != b->active)
		return a->active;
	return a->priority < b->priority;
}

struct candidate {
	struct vgic_irq *irq;
	unsigned intid;
};

static void consider(struct candidate *best, unsigned *count, unsigned max, struct vgic_irq *irq, unsigned intid)
{
	if (!irq->active && !(irq->enabled && vgic_irq_is_pending(irq)))
		return;
	unsigned at = *count;
	while (at > 0 && before(irq, best[at - 1].irq))
		at--;
	if (at >= max)
		return;
	for (unsigned i = (*count < max ? *count : max - 1); i > at; i--)
		best[i] = best[i - 1];
	best[at] = (struct candidate){ irq, intid };
	if (*count < max)
		(*count)++;
}

void vgic_flush_lrs(struct vcpu *vcpu)
{
	struct vgic *vgic = vcpu->vm->arch.vgic;
	struct vgic_cpu *cpu = &vcpu->arch.vgic;
	if (!vgic)
		return;
	struct candidate best[VGIC_MAX_LRS + 1];
	unsigned count = 0;
	if (!cpu->private_watch && !cpu->spis_watched)
		return; /* nothing to deliver: the common case; ICH_HCR_EL2 stays as sync left it */
	spin_lock(&vgic->lock);
	vgic_vtimer_fast_disarm(vcpu); /* the list registers are written again below */
	if (vgic->ctlr & vgic->enable_mask) {
		/* Look only at watched interrupts; forget those that no longer need a list register. */
		for (uint32_t bits = cpu->private_watch; bits; bits &= bits - 1) {
			unsigned i = (unsigned)__builtin_ctz(bits);
			struct vgic_irq *irq = &cpu->private_irqs[i];
			if (!irq->active && !(irq->enabled && vgic_irq_is_pending(irq)))
				cpu->private_watch &= ~(1u << i);
			else
				consider(best, &count, lr_count + 1, irq, i);
		}
		uint64_t still_watched = 0;
		for (unsigned w = 0; w < VGIC_SPIS / 64; w++) {
			for (uint64_t bits = cpu->spi_watch[w]; bits; bits &= bits - 1) {
				unsigned spi = w * 64 + (unsigned)__builtin_ctzll(bits);
				struct vgic_irq *irq = &vgic->spis[spi];
				if (irq->target != vcpu->id || (!irq->active && !(irq->enabled && vgic_irq_is_pending(irq))))
					cpu->spi_watch[w] &= ~(1ULL << (spi % 64));
				else
					consider(best, &count, lr_count + 1, irq, VGIC_PRIVATE_IRQS + spi);
			}
			still_watched |= cpu->spi_watch[w];
		}
		cpu->spis_watched = still_watched != 0;
	}
	bool overflow = count > lr_count;
	if (overflow)
		count = lr_count;
	for (unsigned n = 0; n < count; n++) {
		struct vgic_irq *irq = best[n].irq;
		uint64_t lr = best[n].intid | LR_GROUP1 | ((uint64_t)irq->priority << LR_PRIORITY_SHIFT);
		bool pending = irq->enabled && vgic_irq_is_pending(irq);
		if (irq->host_intid) {
			/* A passthrough SPI (vgic_passthrough.c). Never pending and active at once in a
			 * linked register (IHI0069 12.4.6): the physical SPI cannot be pending again
			 * before the guest ends it, so a second pending is a guest's ISPENDR write, kept
			 * in the model until then. */
			lr |= LR_HW | (uint64_t)irq->host_intid << LR_PINTID_SHIFT;
			pending = pending && !irq->active;
		}
		/* Pending by its line alone: read back, the register's pending is the line's, which the
		 * model already has (and which may have dropped by then). */
		irq->lr_by_line = pending && !irq->pending_latch;
		if (pending) {
			lr |= LR_PENDING;
			irq->pending_latch = false; /* the list register holds it now */
		}
		if (irq->active)
			lr |= LR_ACTIVE;
		irq->in_lr = true;
		cpu->lr[n] = lr;
		hw->write_lr(n, lr);
		vtimer_fast_arm(vcpu, n, best[n].intid, irq);
	}
	for (unsigned n = count; n < cpu->lr_used; n++)
		hw->write_lr(n, 0);
	cpu->lr_used = count;
	spin_unlock(&vgic->lock);
	if (overflow)
		hw->write_hcr(ICH_HCR_EN | ICH_HCR_NPIE);
	isb();
}

/* The list register that holds intid since the last entry, else -1. */
static inline int lr_holding(const struct vgic_cpu *cpu, unsigned intid)
{
	for (unsigned n = 0; n < cpu->lr_used; n++)
		if ((uint32_t)cpu->lr[n] == intid)
			return (int)n;
	return -1;
}

/* vgic_private_in_place's and vgic_passthrough_in_place's work, inlined into each so that the
 * private interrupts' (the timers', taken on every tick) needs none of the SPIs' checks. */
static inline __attribute__((always_inline)) bool inject_in_place(struct vcpu *vcpu, struct vgic *vgic,
								   struct vgic_irq *irq, unsigned intid, bool mine)
{
	struct vgic_cpu *cpu = &vcpu->arch.vgic;
	spin_lock(&vgic->lock);
	/* A quiet, enabled interrupt goes into a free list register, or back into its own once the
	 * guest has finished with it (the timer firing again). Anything else (still pending or
	 * active, disabled, the distributor off, no register free) is left to the model's own
	 * injection and the next flush. */
	int n = -1;
	bool placed = false;
	if (mine && irq->enabled && (vgic->ctlr & vgic->enable_mask)) {
		if (irq->in_lr)
			n = lr_holding(cpu, intid);
		else if (!irq->active && cpu->lr_used < lr_count)
			n = (int)cpu->lr_used;
	}
	if (n >= 0) {
		uint64_t lr = intid | LR_GROUP1 | LR_PENDING | ((uint64_t)irq->priority << LR_PRIORITY_SHIFT);
		if (irq->host_intid)
			lr |= LR_HW | (uint64_t)irq->host_intid << LR_PINTID_SHIFT;
		placed = hw->refill_lr((unsigned)n, lr);
		if (placed) {
			if (!irq->in_lr)
				cpu->lr_used++;
			irq->pending_latch = false;
			irq->active = false;
			irq->in_lr = true;
			irq->lr_by_line = false;
			cpu->lr[n] = lr;
			vtimer_fast_arm(vcpu, (unsigned)n, intid, irq);
		}
	}
	spin_unlock(&vgic->lock);
	return placed;
}

bool vgic_private_in_place(struct vcpu *vcpu, unsigned intid)
{
	struct vgic *vgic = vcpu->vm->arch.vgic;
	intid %= VGIC_PRIVATE_IRQS;
	return vgic && inject_in_place(vcpu, vgic, &vcpu->arch.vgic.private_irqs[intid], intid, true);
}

bool vgic_passthrough_in_place(struct vcpu *vcpu, unsigned intid)
{
	struct vgic *vgic = vcpu->vm->arch.vgic;
	if (intid < VGIC_PRIVATE_IRQS || intid >= VGIC_PRIVATE_IRQS + VGIC_SPIS || !vgic)
		return false;
	struct vgic_irq *irq = &vgic->spis[intid - VGIC_PRIVATE_IRQS];
	return inject_in_place(vcpu, vgic, irq, intid, irq->host_intid == intid && irq->target == vcpu->id);
}

void vgic_sync_lrs(struct vcpu *vcpu)
{
	struct vgic *vgic = vcpu->vm->arch.vgic;
	struct vgic_cpu *cpu = &vcpu->arch.vgic;
	if (!vgic || !cpu->lr_used)
		return;
	spin_lock(&vgic->lock);
	vgic_vtimer_fast_disarm(vcpu); /* the model is the truth again */
	for (unsigned n = 0; n < cpu->lr_used; n++) {
		uint64_t lr = hw->read_lr(n);
		struct vgic_irq *irq = vgic_irq_of(vgic, vcpu, (unsigned)(lr & 0xffffffff));
		if (!irq)
			continue;
		irq->active = (lr & LR_ACTIVE) != 0;
		/* A pending that a level input put there is not latched: the line is its state (GIC v3
		 * spec, 4.1.2), and a device the guest acknowledged while the interrupt was active has
		 * lowered it, so the end of the interrupt must not take it again. */
		if ((lr & LR_PENDING) && !irq->lr_by_line)
			irq->pending_latch = true;
		irq->in_lr = false;
		vgic_watch(vgic, vcpu, (unsigned)(lr & 0xffffffff));
		cpu->lr[n] = lr;
	}
	spin_unlock(&vgic->lock);
	/* Between runs nothing of this vCPU may sit in the hardware. */
	for (unsigned n = 0; n < cpu->lr_used; n++)
		hw->write_lr(n, 0);
	cpu->lr_used = 0;
	hw->write_hcr(ICH_HCR_EN); /* and no maintenance interrupt until the next overflow */
}

static void v3_write_hcr(uint64_t v)
{
	write_sysreg(ich_hcr_el2, v);
}

static uint64_t v3_read_hcr(void)
{
	return read_sysreg(ich_hcr_el2);
}

static void v3_restore(const struct vgic_cpu *cpu)
{
	write_sysreg(ich_vmcr_el2, cpu->vmcr);
	write_sysreg(ich_ap0r0_el2, cpu->ap0r0);
	write_sysreg(ich_ap1r0_el2, cpu->ap1r0);
}

static void v3_save(struct vgic_cpu *cpu)
{
	cpu->vmcr = read_sysreg(ich_vmcr_el2);
	cpu->ap0r0 = read_sysreg(ich_ap0r0_el2);
	cpu->ap1r0 = read_sysreg(ich_ap1r0_el2);
	write_sysreg(ich_vmcr_el2, 0);
	write_sysreg(ich_ap0r0_el2, 0);
	write_sysreg(ich_ap1r0_el2, 0);
}

static unsigned v3_lr_count(void)
{
	return (unsigned)(read_sysreg(ich_vtr_el2) & 0x1f) + 1;
}

static const struct vgic_hw vgic_v3_hw = {
	.lr_count = v3_lr_count,
	.write_lr = v3_write_lr,
	.read_lr = v3_read_lr,
	.refill_lr = v3_refill_lr,
	.write_hcr = v3_write_hcr,
	.read_hcr = v3_read_hcr,
	.save = v3_save,
	.restore = v3_restore,
};


void vgic_put(struct vcpu *vcpu)
{
	hw->save(&vcpu->arch.vgic);
}

/* The maintenance interrupt only makes the guest exit (list registers ran dry while more was
 * pending); the next entry refills them. Turn it off until then. */
static void maintenance_irq(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	hw->write_hcr(hw->read_hcr() & ~ICH_HCR_NPIE);
}

void vgic_vtimer_init_cpu(void);

/* The virtual CPU interface of a physical CPU (GICv3 ICH_* or GICv2 GICH) is set up the first
 * time a vCPU is loaded there: the host half of the arch knows nothing of guests. */
static bool cpu_ready[MAX_CPUS];

void vgic_init_this_cpu(void)
{
	unsigned cpu = this_cpu()->id;
	if (cpu_ready[cpu])
		return;
	cpu_ready[cpu] = true;
	const struct irqchip_ops *chip = irq_chip();
	hw = chip && strcmp(chip->name, "GICv3") == 0 ? &vgic_v3_hw : &vgic_v2_hw;
	if (hw == &vgic_v2_hw) {
		paddr_t dir;
		v2_frames.gicv2_gicc = gicv2_cpu_interface(&dir);
		v2_frames.gicv2_dir = dir;
		v2_frames.gicv2_gich = vgic_v2_gich();
	}
	lr_count = hw->lr_count();
	if (lr_count > VGIC_MAX_LRS)
		lr_count = VGIC_MAX_LRS;
	/* The virtual CPU interface stays enabled: with no list register in use it signals nothing,
	 * and entries need not write it (IHI0069 12.4.4 ICH_HCR_EL2.En). */
	hw->write_hcr(ICH_HCR_EN);
	irq_register_own(VGIC_MAINTENANCE_INTID, maintenance_irq, "the vGIC maintenance interrupt");
	vgic_vtimer_init_cpu();
}

void vgic_load(struct vcpu *vcpu)
{
	hw->restore(&vcpu->arch.vgic);
	vgic_route_passthrough_here(vcpu);
}
