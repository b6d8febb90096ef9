/* SPDX-License-Identifier: Apache-2.0 */
/* vGIC interrupt state (see virt_impl/vgic.h): which interrupt is pending for which vCPU, and
 * getting it noticed. Device models raise SPIs through vm_irq_set (virq ops); SGIs come from the
 * guest's ICC_SGI1R_EL1 writes; PPIs (the virtual timer) from the arch. */
#include "virt/arch_vm.h"
#include "virt_impl/vgic.h"
#include "arch_impl/sysreg.h"
#include "kernel/irq.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "lib/errno.h"
#include "lib/fdt.h"
#include "lib/string.h"
#include "vmm/vcpu.h"
#include "vmm/virq.h"
#include "vmm/vm.h"

void vgic_lock(struct vgic *vgic, unsigned long *flags)
{
	*flags = spin_lock_irqsave(&vgic->lock);
}

void vgic_unlock(struct vgic *vgic, unsigned long flags)
{
	spin_unlock_irqrestore(&vgic->lock, flags);
}

struct vgic_irq *vgic_irq_of(struct vgic *vgic, struct vcpu *vcpu, unsigned intid)
{
	if (intid < VGIC_PRIVATE_IRQS)
		return &vcpu->arch.vgic.private_irqs[intid];
	if (intid - VGIC_PRIVATE_IRQS < VGIC_SPIS)
		return &vgic->spis[intid - VGIC_PRIVATE_IRQS];
	return NULL;
}

void vgic_watch(struct vgic *vgic, struct vcpu *vcpu, unsigned intid)
{
	if (intid < VGIC_PRIVATE_IRQS) {
		vcpu->arch.vgic.private_watch |= 1u << intid;
		return;
	}
	unsigned spi = intid - VGIC_PRIVATE_IRQS;
	if (spi >= VGIC_SPIS)
		return;
	unsigned target = vgic->spis[spi].target;
	if (target < vgic->vm->vcpu_count) {
		struct vgic_cpu *cpu = &vgic->vm->vcpus[target]->arch.vgic;
		cpu->spi_watch[spi / 64] |= 1ULL << (spi % 64);
		cpu->spis_watched = true;
	}
}

bool vgic_irq_is_pending(const struct vgic_irq *irq)
{
	return irq->pending_latch || (!irq->edge && irq->line_level);
}

/* A device model's change to an SPI (virq ops): its line's level, or (pulse) an edge latched
 * pending whatever GICD_ICFGR says, as a message-based interrupt is (GIC v3 spec, 4.1). A raised
 * line kicks its target vCPU; an edge only when it was not pending already, so edges in a loop
 * cost no IPI each. */
static void change_spi(struct vm *vm, unsigned intid, bool level, bool pulse)
{
	struct vgic *vgic = vm->arch.vgic;
	if (intid < VGIC_PRIVATE_IRQS || intid - VGIC_PRIVATE_IRQS >= VGIC_SPIS)
		return;
	struct vgic_irq *irq = &vgic->spis[intid - VGIC_PRIVATE_IRQS];
	unsigned long flags;
	vgic_lock(vgic, &flags);
	bool kick;
	if (pulse) {
		kick = !irq->pending_latch;
		irq->pending_latch = true;
	} else {
		if (irq->edge && level && !irq->line_level)
			irq->pending_latch = true;
		irq->line_level = level;
		kick = level;
	}
	vgic_watch(vgic, NULL, intid);
	unsigned target = irq->target;
	kick = kick && irq->enabled;
	vgic_unlock(vgic, flags);
	if (kick && target < vm->vcpu_count)
		vcpu_kick(vm->vcpus[target]);
}

static void vgic_set_level(struct vm *vm, unsigned intid, bool level)
{
	change_spi(vm, intid, level, false);
}

static void vgic_pulse(struct vm *vm, unsigned intid)
{
	change_spi(vm, intid, true, true);
}

static const struct virq_ops vgic_virq = { .set_level = vgic_set_level, .pulse = vgic_pulse };

const struct virq_ops *vgic_virq_ops(void)
{
	return &vgic_virq;
}

void vgic_inject(struct vm *vm, struct vcpu *vcpu, unsigned intid)
{
	struct vgic *vgic = vm->arch.vgic;
	if (!vgic)
		return;
	unsigned long flags;
	vgic_lock(vgic, &flags);
	struct vgic_irq *irq = vgic_irq_of(vgic, vcpu, intid);
	if (irq) {
		irq->pending_latch = true;
		vgic_watch(vgic, vcpu, intid);
	}
	if (irq && intid >= VGIC_PRIVATE_IRQS && irq->target < vm->vcpu_count)
		vcpu = vm->vcpus[irq->target];
	vgic_unlock(vgic, flags);
	vcpu_kick(vcpu);
}

/* ICC_SGI1R_EL1 (IHI0069 12.2.23): TargetList [15:0], Aff1 [23:16], INTID [27:24], Aff2 [39:32],
 * IRM [40] (all but self), Aff3 [55:48]. */
void vgic_send_sgi(struct vcpu *sender, uint64_t sgi1r)
{
	struct vm *vm = sender->vm;
	unsigned intid = (sgi1r >> 24) & 0xf;
	bool all_but_self = (sgi1r >> 40) & 1;
	uint64_t cluster = ((sgi1r >> 16) & 0xff) << 8 | ((sgi1r >> 32) & 0xff) << 16 | ((sgi1r >> 48) & 0xff) << 32;
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *target = vm->vcpus[i];
		uint64_t id = target->guest_id;
		bool hit = all_but_self ? target != sender
					: ((id & ~0xffULL) == cluster && (id & 0xff) < 16 && ((sgi1r >> (id & 0xff)) & 1));
		if (hit)
			vgic_inject(vm, target, intid);
	}
}

bool vgic_pending(struct vcpu *vcpu)
{
	struct vgic *vgic = vcpu->vm->arch.vgic;
	if (!vgic)
		return false;
	struct vgic_cpu *cpu = &vcpu->arch.vgic;
	for (unsigned i = 0; i < cpu->lr_used; i++)
		if ((cpu->lr[i] >> 62) & 1)
			return true;
	bool found = false;
	unsigned long flags;
	vgic_lock(vgic, &flags);
	for (uint32_t bits = cpu->private_watch; bits && !found; bits &= bits - 1) {
		struct vgic_irq *irq = &cpu->private_irqs[__builtin_ctz(bits)];
		found = irq->enabled && vgic_irq_is_pending(irq);
	}
	for (unsigned w = 0; w < VGIC_SPIS / 64 && !found && (vgic->ctlr & vgic->enable_mask); w++) {
		for (uint64_t bits = cpu->spi_watch[w]; bits && !found; bits &= bits - 1) {
			struct vgic_irq *irq = &vgic->spis[w * 64 + (unsigned)__builtin_ctzll(bits)];
			found = irq->enabled && irq->target == vcpu->id && vgic_irq_is_pending(irq);
		}
	}
	vgic_unlock(vgic, flags);
	return found;
}

int vgic_mmio_init(struct vgic *vgic, gpa_t dist_base, gpa_t redist_base);

/* The state both GIC versions share: SGIs edge-triggered, every redistributor asleep. */
/* A vCPU's redistributor and virtual CPU interface as the guest first finds them. */
static void reset_cpu(struct vgic_cpu *cpu, unsigned v)
{
	*cpu = (struct vgic_cpu){ 0 };
	for (unsigned i = 0; i < VGIC_PRIVATE_IRQS; i++)
		cpu->private_irqs[i] = (struct vgic_irq){ .edge = i < 16, .target = v };
	cpu->waker = 0x6; /* ProcessorSleep | ChildrenAsleep until the guest wakes it */
}

struct vgic *vgic_alloc(struct vm *vm)
{
	struct vgic *vgic = kzalloc(sizeof(*vgic));
	if (!vgic)
		return NULL;
	vgic->vm = vm;
	vgic->lines = VGIC_PRIVATE_IRQS; /* raised by vgic_offer_line for each SPI the VM has */
	for (unsigned v = 0; v < vm->vcpu_count; v++)
		reset_cpu(&vm->vcpus[v]->arch.vgic, v);
	return vgic;
}

void vgic_reset(struct vgic *vgic)
{
	struct vm *vm = vgic->vm;
	unsigned long flags;
	vgic_lock(vgic, &flags);
	vgic->ctlr = 0;
	for (unsigned i = 0; i < VGIC_SPIS; i++) {
		struct vgic_irq *irq = &vgic->spis[i];
		unsigned host = irq->host_intid;
		/* Held active for the guest's end of interrupt, which will not come: the device's again
		 * (deactivating an inactive SPI changes nothing). */
		if (host)
			irq_deactivate(host);
		*irq = (struct vgic_irq){ .host_intid = host };
	}
	for (unsigned v = 0; v < vm->vcpu_count; v++)
		reset_cpu(&vm->vcpus[v]->arch.vgic, v);
	vgic_unlock(vgic, flags);
}

/* A vGICv3: its distributor at dist_base (64 KiB), the redistributors at redist_base (128 KiB per
 * vCPU), both on the MMIO bus, registered as the VM's interrupt controller. */
static int vgic_create(struct vm *vm, gpa_t dist_base, gpa_t redist_base)
{
	struct vgic *vgic = vgic_alloc(vm);
	if (!vgic)
		return -ENOMEM;
	vgic->enable_mask = 2; /* GICD_CTLR.EnableGrp1NS */
	int err = vgic_mmio_init(vgic, dist_base, redist_base);
	if (err < 0) {
		kfree(vgic);
		return err;
	}
	vm->arch.vgic = vgic;
	vm_set_irqchip(vm, &vgic_virq, vgic);
	vm_log_info(vm, "vGICv3, distributor %#llx, redistributors %#llx",
		    (unsigned long long)dist_base, (unsigned long long)redist_base);
	return 0;
}

/* The VM's interrupt controller: a vGICv3 when the config asks for interrupts, at the addresses
 * its emulated GIC devices give (emu_type 0x01 interrupt controller / 0x21 GPPT distributor for
 * the distributor, 0x20 GPPT redistributor for the redistributors), or else where the host's are. */
/* An interrupt of a host device-tree node passed through, in the GIC binding's three cells
 * (arm,gic-v3.yaml): type 0 is an SPI, INTID 32 + number; a PPI (type 1) is per CPU and stays
 * with the host. */
struct dt_spis {
	struct vm *vm;
	unsigned count;
};

/* Offers the guest the 32 INTIDs that hold intid (an SPI of one of its devices). */
static void vgic_offer_line(struct vgic *vgic, unsigned intid)
{
	if (intid >= VGIC_PRIVATE_IRQS && intid < VGIC_PRIVATE_IRQS + VGIC_SPIS && intid >= vgic->lines)
		vgic->lines = (intid | 31) + 1;
}

/* The SPIs the VM's devices name, passed through or not (a guest driver sets its line up either
 * way): each emulated device's and passthrough device's irq, and those of the host device-tree
 * nodes it is given. What the guest may still need beyond them (none of its devices) it does not
 * see: GICD_TYPER reports the highest (IHI0069 12.9.38: ITLinesNumber). */
static int offer_dt_interrupt(void *ctx, int node, const void *specifier)
{
	(void)node;
	const uint8_t *cells = specifier;
	if (fdt_be32(cells) == 0)
		vgic_offer_line(ctx, VGIC_PRIVATE_IRQS + fdt_be32(cells + 4));
	return 0;
}

static int offer_lines(struct vm *vm)
{
	const struct vm_config *config = vm->config;
	struct vgic *vgic = vm->arch.vgic;
	for (size_t i = 0; i < config->devices.emu_device_count; i++)
		if (config->devices.emu_devices[i].irq > 0)
			vgic_offer_line(vgic, (unsigned)config->devices.emu_devices[i].irq);
	for (size_t i = 0; i < config->devices.passthrough_device_count; i++)
		if (config->devices.passthrough_devices[i].irq > 0)
			vgic_offer_line(vgic, (unsigned)config->devices.passthrough_devices[i].irq);
	return dt_passthrough_for_each_interrupt(&vm->dt, offer_dt_interrupt, vgic);
}

static int pass_dt_interrupt(void *ctx, int node, const void *specifier)
{
	(void)node;
	struct dt_spis *spis = ctx;
	const uint8_t *cells = specifier;
	if (fdt_be32(cells) != 0)
		return 0;
	spis->count++;
	return vgic_passthrough_spi(spis->vm, VGIC_PRIVATE_IRQS + fdt_be32(cells + 4), false);
}

int arch_vm_create_irqchip(struct vm *vm)
{
	const struct vm_config *config = vm->config;
	if (config->devices.interrupt_mode.value == VM_INTERRUPTS_NONE)
		return 0;
	const struct irqchip_ops *host = irq_chip();
	const struct irqchip_desc *desc = &platform_boot_info->irqchip;
	bool host_v3 = host && strcmp(host->name, "GICv3") == 0;
	gpa_t dist = desc->regs[0], redist = desc->regs[1];
	for (size_t i = 0; i < config->devices.emu_device_count; i++) {
		const struct vm_emu_device *emu = &config->devices.emu_devices[i];
		if (emu->emu_type == VM_EMU_INTERRUPT_CONTROLLER || emu->emu_type == VM_EMU_GPPT_DISTRIBUTOR)
			dist = emu->base_gpa;
		else if (emu->emu_type == VM_EMU_GPPT_REDISTRIBUTOR)
			redist = emu->base_gpa;
	}
	/* On a GICv2 host the guest gets a GICv2, its CPU interface as far above its distributor as
	 * the host's GICC is above its GICD: where the host's is when the distributor is where the
	 * host's is, and at GICD + 64 KiB (QEMU virt's and ZynqMP's layout) for a config that puts the
	 * distributor elsewhere. */
	gpa_t cpu_interface = desc->regs[1] > desc->regs[0] ? dist + (desc->regs[1] - desc->regs[0]) : desc->regs[1];
	int err = host_v3 ? vgic_create(vm, dist, redist) : vgic_create_v2(vm, dist, cpu_interface);
	if (err == 0)
		err = offer_lines(vm);
	if (err < 0 || config->devices.interrupt_mode.value != VM_INTERRUPTS_PASSTHROUGH)
		return err;
	for (size_t i = 0; i < config->devices.passthrough_device_count && err == 0; i++) {
		const struct vm_passthrough_device *pt = &config->devices.passthrough_devices[i];
		if (!pt->is_device_tree_path && pt->irq >= 32)
			err = vgic_passthrough_spi(vm, (unsigned)pt->irq, true);
	}
	struct dt_spis spis = { vm, 0 };
	if (err == 0)
		err = dt_passthrough_for_each_interrupt(&vm->dt, pass_dt_interrupt, &spis);
	if (err == 0 && spis.count)
		vm_log_info(vm, "%u physical SPIs of its host device-tree nodes passed through", spis.count);
	return err;
}
