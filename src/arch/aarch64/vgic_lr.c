/* List registers and the virtual CPU interface (IHI0069 12.4 ICH_* registers). Pending and active
 * interrupts of a vCPU are written into the list registers just before entry and read back just
 * after exit, both inside arch_vcpu_run with interrupts masked; between runs the model holds all
 * state, so only ICH_VMCR and the active-priority registers move with the vCPU (load/put). */
#include "arch_impl/vgic.h"
#include "arch_impl/sysreg.h"
#include "kernel/irq.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define LR_STATE_SHIFT 62
#define LR_PENDING (1ULL << 62)
#define LR_ACTIVE (1ULL << 63)
#define LR_GROUP1 (1ULL << 60)
#define LR_EOI (1ULL << 41) /* maintenance interrupt when the guest deactivates it */
#define LR_PRIORITY_SHIFT 48
#define ICH_HCR_EN (1ULL << 0)
#define ICH_HCR_NPIE (1ULL << 3) /* maintenance interrupt when no list register is pending */

static unsigned lr_count = 4;

static void write_lr(unsigned n, uint64_t v)
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

static uint64_t read_lr(unsigned n)
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
	if (!cpu->private_watch && !(cpu->spi_watch[0] | cpu->spi_watch[1] | cpu->spi_watch[2] | cpu->spi_watch[3])) {
		write_sysreg(ich_hcr_el2, ICH_HCR_EN); /* nothing to deliver: the common case */
		return;
	}
	spin_lock(&vgic->lock);
	if (vgic->ctlr & 2) {
		/* Look only at watched interrupts; forget those that no longer need a list register. */
		for (uint32_t bits = cpu->private_watch; bits; bits &= bits - 1) {
			unsigned i = (unsigned)__builtin_ctz(bits);
			struct vgic_irq *irq = &cpu->private_irqs[i];
			if (!irq->active && !(irq->enabled && vgic_irq_is_pending(irq)))
				cpu->private_watch &= ~(1u << i);
			else
				consider(best, &count, lr_count + 1, irq, i);
		}
		for (unsigned w = 0; w < VGIC_SPIS / 64; w++) {
			for (uint64_t bits = cpu->spi_watch[w]; bits; bits &= bits - 1) {
				unsigned spi = w * 64 + (unsigned)__builtin_ctzll(bits);
				struct vgic_irq *irq = &vgic->spis[spi];
				if (irq->target != vcpu->id || (!irq->active && !(irq->enabled && vgic_irq_is_pending(irq))))
					cpu->spi_watch[w] &= ~(1ULL << (spi % 64));
				else
					consider(best, &count, lr_count + 1, irq, VGIC_PRIVATE_IRQS + spi);
			}
		}
	}
	bool overflow = count > lr_count;
	if (overflow)
		count = lr_count;
	for (unsigned n = 0; n < count; n++) {
		struct vgic_irq *irq = best[n].irq;
		uint64_t lr = best[n].intid | LR_GROUP1 | ((uint64_t)irq->priority << LR_PRIORITY_SHIFT);
		if (irq->enabled && vgic_irq_is_pending(irq))
			lr |= LR_PENDING;
		if (irq->active)
			lr |= LR_ACTIVE;
		if (irq->host_intid)
			lr |= LR_EOI;
		irq->pending_latch = false; /* the list register holds it now */
		irq->in_lr = true;
		cpu->lr[n] = lr;
		write_lr(n, lr);
	}
	for (unsigned n = count; n < cpu->lr_used; n++)
		write_lr(n, 0);
	cpu->lr_used = count;
	spin_unlock(&vgic->lock);
	write_sysreg(ich_hcr_el2, ICH_HCR_EN | (overflow ? ICH_HCR_NPIE : 0));
	isb();
}

void vgic_sync_lrs(struct vcpu *vcpu)
{
	struct vgic *vgic = vcpu->vm->arch.vgic;
	struct vgic_cpu *cpu = &vcpu->arch.vgic;
	if (!vgic || !cpu->lr_used)
		return;
	spin_lock(&vgic->lock);
	for (unsigned n = 0; n < cpu->lr_used; n++) {
		uint64_t lr = read_lr(n);
		struct vgic_irq *irq = vgic_irq_of(vgic, vcpu, (unsigned)(lr & 0xffffffff));
		if (!irq)
			continue;
		irq->active = (lr & LR_ACTIVE) != 0;
		if (lr & LR_PENDING)
			irq->pending_latch = true;
		else if (irq->host_intid && !irq->active && (cpu->lr[n] & (LR_ACTIVE | LR_PENDING)))
			vgic_passthrough_done(irq); /* was pending or active at entry, ended by the guest */
		irq->in_lr = false;
		vgic_watch(vgic, vcpu, (unsigned)(lr & 0xffffffff));
		cpu->lr[n] = lr;
	}
	spin_unlock(&vgic->lock);
	/* Between runs nothing of this vCPU may sit in the hardware. */
	for (unsigned n = 0; n < cpu->lr_used; n++)
		write_lr(n, 0);
	cpu->lr_used = 0;
	write_sysreg(ich_hcr_el2, 0);
}

void vgic_load(struct vcpu *vcpu)
{
	struct vgic_cpu *cpu = &vcpu->arch.vgic;
	write_sysreg(ich_vmcr_el2, cpu->vmcr);
	write_sysreg(ich_ap0r0_el2, cpu->ap0r0);
	write_sysreg(ich_ap1r0_el2, cpu->ap1r0);
}

void vgic_put(struct vcpu *vcpu)
{
	struct vgic_cpu *cpu = &vcpu->arch.vgic;
	cpu->vmcr = read_sysreg(ich_vmcr_el2);
	cpu->ap0r0 = read_sysreg(ich_ap0r0_el2);
	cpu->ap1r0 = read_sysreg(ich_ap1r0_el2);
	write_sysreg(ich_vmcr_el2, 0);
	write_sysreg(ich_ap0r0_el2, 0);
	write_sysreg(ich_ap1r0_el2, 0);
}

/* The maintenance interrupt only makes the guest exit (list registers ran dry while more was
 * pending); the next entry refills them. Turn it off until then. */
static void maintenance_irq(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	write_sysreg(ich_hcr_el2, read_sysreg(ich_hcr_el2) & ~ICH_HCR_NPIE);
}

void vgic_vtimer_init_cpu(void);

void vgic_init_cpu(void)
{
	lr_count = (unsigned)(read_sysreg(ich_vtr_el2) & 0x1f) + 1;
	if (lr_count > VGIC_MAX_LRS)
		lr_count = VGIC_MAX_LRS;
	write_sysreg(ich_hcr_el2, 0);
	irq_register(VGIC_MAINTENANCE_INTID, maintenance_irq, NULL);
	irq_enable(VGIC_MAINTENANCE_INTID);
	vgic_vtimer_init_cpu();
}
