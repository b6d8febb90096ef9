/* SPDX-License-Identifier: Apache-2.0 */
/* Physical SPIs given to a VM (interrupt_mode = "passthrough"): the SPI of each passthrough device
 * in the config belongs to that VM alone. When it fires, Tessera masks it at the host distributor
 * and raises the same INTID on the VM's vGIC; the list register asks for a maintenance interrupt
 * when the guest ends it (ICH_LR_EL2.EOI, IHI0069 12.4.6), and the line is unmasked then, so a
 * device that still asserts it interrupts again. Other VMs' distributors are emulated: they cannot
 * reach a physical SPI at all. */
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
	irq_disable(irq);
	vm_irq_set(vm, irq, true);
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

/* The guest ended a passthrough interrupt: its input follows the device again. Called from the
 * list-register read-back with the vGIC lock held. */
void vgic_passthrough_done(struct vgic_irq *irq)
{
	irq->line_level = false;
	irq_enable(irq->host_intid);
}
