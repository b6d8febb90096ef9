/* SPDX-License-Identifier: Apache-2.0 */
/* Physical SPIs given to a VM (interrupt_mode = "passthrough"): the SPI of each passthrough device
 * in the config belongs to that VM alone. When it fires, the host ends only its own part of it:
 * the running priority drops (the host GIC runs with EOImode 1) but the SPI stays active, so it
 * cannot fire again, and the same INTID is made pending on the VM's vGIC. The list register that
 * carries it is linked to the physical SPI (HW = 1 and its pINTID: ICH_LR_EL2, IHI0069 12.4.6),
 * so the guest's own end of interrupt deactivates the physical SPI in
 * hardware: one exit per interrupt, none when the guest ends it. A device that still asserts the
 * line then interrupts again. Where the guest cannot end it (its VM resets or goes away, or it
 * clears the interrupt at its distributor) the hypervisor deactivates it.
 * The same on a GICv2 host (EOImode 1 in GICC_CTLR, a GICH_LR with HW = 1 and the PhysicalID:
 * IHI0048B 5.3.11). One caveat of QEMU's GICv2 model, not of the architecture: the guest's end of
 * interrupt clears the physical active state without re-evaluating the physical CPU interface
 * (hw/intc/gic_internal.h, gic_clear_active), so a level line still asserted then is signalled
 * at the GIC's next event (any interrupt, any GIC register access), not at once.
 * Other VMs' distributors are emulated: they cannot reach a physical SPI at all. */
#include "virt_impl/vgic.h"
#include "kernel/irq.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "vmm/vcpu.h"
#include "vmm/virq.h"
#include "vmm/vm.h"

static void passthrough_irq(unsigned irq, void *arg)
{
	struct vm *vm = arg;
	(void)irq_leave_active(); /* both GIC drivers can */
	vm_irq_pulse(vm, irq);
}

int vgic_passthrough_spi(struct vm *vm, unsigned intid, bool announce)
{
	struct vgic *vgic = vm->arch.vgic;
	if (intid < VGIC_PRIVATE_IRQS || intid - VGIC_PRIVATE_IRQS >= VGIC_SPIS)
		return -EINVAL;
	char what[24];
	format_snprintf(what, sizeof(what), "SPI %u", intid);
	int err = vm_claim_host_resource(vm, HOST_IRQ, intid, 1, what);
	if (err < 0)
		return err;
	err = irq_register(intid, passthrough_irq, vm);
	if (err < 0) {
		vm_log_error(vm, "SPI %u is the hypervisor's own", intid);
		return err;
	}
	vgic->spis[intid - VGIC_PRIVATE_IRQS].host_intid = intid;
	if (vgic->passthrough_count < VGIC_PASSTHROUGH_ROUTED)
		vgic->passthrough[vgic->passthrough_count++] = (struct vgic_passthrough_route){ (uint16_t)intid, -1 };
	irq_enable(intid);
	if (announce)
		vm_log_info(vm, "physical SPI %u passed through", intid);
	return 0;
}

void vgic_route_passthrough_here(struct vcpu *vcpu)
{
	struct vgic *vgic = vcpu->vm->arch.vgic;
	int here = (int)this_cpu()->id;
	for (unsigned i = 0; i < vgic->passthrough_count; i++) {
		unsigned intid = vgic->passthrough[i].intid;
		if (__atomic_load_n(&vgic->spis[intid - VGIC_PRIVATE_IRQS].target, __ATOMIC_RELAXED) != vcpu->id ||
		    __atomic_load_n(&vgic->passthrough[i].routed_to, __ATOMIC_RELAXED) == here)
			continue;
		irq_route_here(intid);
		__atomic_store_n(&vgic->passthrough[i].routed_to, (int16_t)here, __ATOMIC_RELAXED);
	}
}

void vgic_release_passthrough(struct vgic *vgic)
{
	for (unsigned i = 0; i < VGIC_SPIS; i++) {
		unsigned host = vgic->spis[i].host_intid;
		if (host) {
			irq_unregister(host);
			irq_deactivate(host);
		}
	}
}
