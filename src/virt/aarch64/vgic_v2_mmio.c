/* SPDX-License-Identifier: Apache-2.0 */
/* Emulated GICv2 distributor for guests on GICv2 hosts (IHI0048B 4.3): the interrupt banks are
 * shared with the GICv3 emulation (vgic_mmio.c), SGIs and PPIs banked per vCPU in the distributor
 * itself; GICD_ITARGETSR picks an SPI's vCPU, GICD_SGIR sends SGIs. The guest's CPU interface is the
 * hardware's virtual CPU interface (GICV), mapped where the guest expects its GICC. */
#include "virt/arch_vm.h"
#include "virt_impl/vgic.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/platform.h"
#include "lib/errno.h"
#include "vmm/vcpu.h"
#include "vmm/virq.h"
#include "vmm/vm.h"

#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_IIDR 0x008
#define GICD_IGROUPR 0x080
#define GICD_ITARGETSR 0x800
#define GICD_SGIR 0xf00
#define GICD_PIDR2 0xfe8
#define GICD_V2_SIZE 0x1000
#define GICC_SIZE 0x2000

/* GICD_SGIR (4.3.15): TargetListFilter [25:24], CPUTargetList [23:16], SGIINTID [3:0]. */
static void send_sgi(struct vgic *vgic, struct vcpu *sender, uint32_t value)
{
	unsigned filter = (value >> 24) & 3, list = (value >> 16) & 0xff, intid = value & 0xf;
	for (unsigned i = 0; i < vgic->vm->vcpu_count && i < 8; i++) {
		struct vcpu *target = vgic->vm->vcpus[i];
		bool hit = filter == 0 ? ((list >> i) & 1) : filter == 1 ? target != sender : target == sender;
		if (hit)
			vgic_inject(vgic->vm, target, intid);
	}
}

static int targets_access(struct vgic *vgic, struct vcpu *vcpu, uint64_t offset, unsigned width, bool write,
			  uint64_t *value)
{
	uint64_t result = 0;
	unsigned long flags;
	vgic_lock(vgic, &flags);
	for (unsigned i = 0; i < width; i++) {
		unsigned intid = (unsigned)(offset - GICD_ITARGETSR) + i;
		struct vgic_irq *irq = vgic_irq_of(vgic, vcpu, intid);
		if (!irq)
			continue;
		if (intid < 32) {
			result |= (uint64_t)(1u << vcpu->id) << (8 * i); /* read-only: this CPU */
		} else if (write) {
			uint8_t mask = (uint8_t)(*value >> (8 * i));
			if (mask) {
				irq->target = (unsigned)__builtin_ctz(mask);
				if (irq->target >= vgic->vm->vcpu_count)
					irq->target = 0;
				vgic_watch(vgic, vcpu, intid);
			}
		} else {
			result |= (uint64_t)(1u << irq->target) << (8 * i);
		}
	}
	vgic_unlock(vgic, flags);
	if (!write)
		*value = result;
	return 0;
}

static int distributor_access(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, bool write, uint64_t *value)
{
	struct vgic *vgic = dev->priv;
	if (offset >= GICD_IGROUPR && offset < GICD_IGROUPR + 0x80) {
		if (!write)
			*value = 0; /* everything is group 0 for a GICv2 guest */
		return 0;
	}
	if (offset >= GICD_ITARGETSR && offset < GICD_ITARGETSR + VGIC_PRIVATE_IRQS + VGIC_SPIS)
		return targets_access(vgic, vcpu, offset, width, write, value);
	if (offset < 0xf00) {
		/* The bank registers: 32 interrupts per enable word, so one access is all private (the
		 * accessing vCPU's) or all shared. */
		uint64_t bits_per_irq = (offset >= 0x400 && offset < 0x800) ? 8 : (offset >= 0xc00 ? 2 : 1);
		uint64_t bank_start = offset >= 0xc00 ? 0xc00 : offset >= 0x400 ? 0x400 : offset & ~0x7fULL;
		uint64_t first = (offset - bank_start) * 8 / bits_per_irq;
		int err = vgic_bank_register(vgic, vcpu, offset, width, write, value, first < VGIC_PRIVATE_IRQS);
		if (err != -ENOENT)
			return err;
	}
	if (write) {
		if (offset == GICD_CTLR) {
			vgic->ctlr = (uint32_t)*value & 1;
			for (unsigned v = 0; v < vgic->vm->vcpu_count; v++)
				vcpu_kick(vgic->vm->vcpus[v]);
		} else if (offset == GICD_SGIR) {
			send_sgi(vgic, vcpu, (uint32_t)*value);
		}
		return 0;
	}
	switch (offset) {
	case GICD_CTLR: *value = vgic->ctlr; break;
	/* ITLinesNumber [4:0], CPUNumber [7:5]. */
	case GICD_TYPER: *value = vgic_it_lines_number(vgic) | ((vgic->vm->vcpu_count - 1) << 5); break;
	case GICD_IIDR: *value = 0x0200043b; break;
	case GICD_PIDR2: *value = 0x20; break; /* ArchRev 2 */
	default: *value = 0; break;
	}
	return 0;
}

static int distributor_read(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t *value)
{
	return distributor_access(dev, vcpu, offset, width, false, value);
}

static int distributor_write(struct vdev *dev, struct vcpu *vcpu, uint64_t offset, unsigned width, uint64_t value)
{
	return distributor_access(dev, vcpu, offset, width, true, &value);
}

static void vgic_v2_destroy(struct vdev *dev)
{
	struct vgic *vgic = dev->priv;
	vgic_release_passthrough(vgic);
	vgic->vm->arch.vgic = NULL;
	kfree(vgic);
}

static void distributor_v2_reset(struct vdev *dev)
{
	vgic_reset(dev->priv);
}

static const struct vdev_ops distributor_v2_ops = {
	.reset = distributor_v2_reset,
	.read = distributor_read,
	.write = distributor_write,
	.destroy = vgic_v2_destroy,
};

int vgic_create_v2(struct vm *vm, gpa_t dist_base, gpa_t cpu_base)
{
	const struct irqchip_desc *host = &platform_boot_info->irqchip;
	if (host->reg_count < 4) {
		vm_log_error(vm, "the host GICv2 has no virtualization extension (GICH/GICV not described)");
		return -ENOTSUP;
	}
	if (vm->vcpu_count > 8) {
		vm_log_error(vm, "a GICv2 serves at most 8 vCPUs");
		return -EINVAL;
	}
	struct vgic *vgic = vgic_alloc(vm);
	if (!vgic)
		return -ENOMEM;
	vgic->v2 = true;
	vgic->enable_mask = 1; /* GICD_CTLR.Enable */
	vgic->distributor = (struct vdev){ "vgic-distributor", dist_base, GICD_V2_SIZE, &distributor_v2_ops, vgic };
	/* The CPU interface is hardware: GICV, mapped where the guest's GICC is (IHI0048B 5.1). */
	vgic->redistributors = (struct vdev){ "vgic-cpu-interface", cpu_base, GICC_SIZE, NULL, NULL };
	int err = arch_gpt_map(vm, cpu_base, host->regs[3], GICC_SIZE, GPT_READ | GPT_WRITE | GPT_DEVICE);
	struct vdev *conflict = NULL;
	if (err == 0)
		err = vdev_bus_add(&vm->mmio_bus, &vgic->distributor, &conflict);
	if (err < 0) {
		vm_log_error(vm, "cannot place the vGICv2 (%d)", err);
		kfree(vgic);
		return err;
	}
	vm->arch.vgic = vgic;
	vm_set_irqchip(vm, vgic_virq_ops(), vgic);
	vm_log_info(vm, "vGICv2, distributor %#llx, CPU interface %#llx (GICV %#llx)",
		    (unsigned long long)dist_base, (unsigned long long)cpu_base, (unsigned long long)host->regs[3]);
	return 0;
}
