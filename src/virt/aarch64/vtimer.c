/* SPDX-License-Identifier: Apache-2.0 */
/* The guest's EL1 timers (Arm ARM D11.2.4 CNTV_*, D11.2.3 CNTP_*): the guest programs them directly
 * (CNTHCTL_EL2 lets EL1 use the physical one; CNTVOFF_EL2 is the vCPU's, 0 until a suspend moves
 * its clock: vm_resume). When one fires while the guest
 * runs, its PPI (27 virtual, 30 physical) reaches EL2; Tessera masks that timer's output
 * (CTL.IMASK) and makes the same virtual INTID pending for the vCPU, which reprograms the timer
 * (clearing IMASK) when it handles it. While the vCPU is off its CPU, host timer events stand in for
 * the hardware timers. The hypervisor's own timer is the separate EL2 timer (CNTHP), which guests
 * cannot reach. */
#include "arch/timer.h"
#include "arch_impl/sysreg.h"
#include "virt_impl/vgic.h"
#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "kernel/timer.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define CTL_ENABLE 1ULL
#define CTL_IMASK 2ULL
#define PTIMER_INTID 30


static void mask_timer(unsigned irq)
{
	if (irq == VGIC_VTIMER_INTID)
		write_sysreg(cntv_ctl_el0, read_sysreg(cntv_ctl_el0) | CTL_IMASK);
	else
		write_sysreg(cntp_ctl_el0, read_sysreg(cntp_ctl_el0) | CTL_IMASK);
	isb();
}

/* A timer PPI taken through the host's vectors (the vCPU waiting in place, or the exit path could
 * not inject it): it is for the vCPU whose timers are loaded on this CPU, kept in a per-CPU word
 * between vtimer_load and vtimer_put. */
static void vtimer_irq(unsigned irq, void *arg)
{
	(void)arg;
	struct vcpu *vcpu = (struct vcpu *)(uintptr_t)this_cpu()->arch_scratch[1];
	mask_timer(irq);
	if (vcpu)
		vgic_inject(vcpu->vm, vcpu, irq);
}

bool vtimer_fire_in_place(struct vcpu *vcpu, unsigned irq)
{
	if ((irq != VGIC_VTIMER_INTID && irq != PTIMER_INTID) || !vgic_private_in_place(vcpu, irq))
		return false;
	mask_timer(irq);
	return true;
}

void vgic_vtimer_init_cpu(void)
{
	irq_register_own(VGIC_VTIMER_INTID, vtimer_irq, "the guests' virtual timer");
	irq_register_own(PTIMER_INTID, vtimer_irq, "the guests' physical timer");
}

static void vtimer_wakeup(struct timer_event *event, void *arg)
{
	(void)event;
	struct vcpu *vcpu = arg;
	vcpu->arch.el1.cntv_ctl |= CTL_IMASK;
	vgic_inject(vcpu->vm, vcpu, VGIC_VTIMER_INTID);
}

static void ptimer_wakeup(struct timer_event *event, void *arg)
{
	(void)event;
	struct vcpu *vcpu = arg;
	vcpu->arch.el1.cntp_ctl |= CTL_IMASK;
	vgic_inject(vcpu->vm, vcpu, PTIMER_INTID);
}

static bool armed(uint64_t ctl)
{
	return (ctl & CTL_ENABLE) && !(ctl & CTL_IMASK);
}

/* Called from arch_vcpu_put after the timer state was saved and the hardware timers stopped. */
void vtimer_put(struct vcpu *vcpu)
{
	this_cpu()->arch_scratch[1] = 0;
	if (!vcpu->vm->arch.vgic)
		return;
	/* CVAL is in virtual time: the host's event comes CNTVOFF later. */
	if (armed(vcpu->arch.el1.cntv_ctl))
		timer_arm(&vcpu->arch.vtimer_wakeup, vcpu->arch.el1.cntv_cval + vcpu->arch.cntvoff, vtimer_wakeup, vcpu);
	if (armed(vcpu->arch.el1.cntp_ctl))
		timer_arm(&vcpu->arch.ptimer_wakeup, vcpu->arch.el1.cntp_cval, ptimer_wakeup, vcpu);
}

void vtimer_shifted(struct vcpu *vcpu)
{
	if (vcpu->vm->arch.vgic && vcpu->arch.vtimer_wakeup.armed)
		timer_arm(&vcpu->arch.vtimer_wakeup, vcpu->arch.el1.cntv_cval + vcpu->arch.cntvoff, vtimer_wakeup, vcpu);
}

void vtimer_load(struct vcpu *vcpu)
{
	timer_cancel(&vcpu->arch.vtimer_wakeup);
	timer_cancel(&vcpu->arch.ptimer_wakeup);
	this_cpu()->arch_scratch[1] = (uint64_t)(uintptr_t)vcpu;
}
