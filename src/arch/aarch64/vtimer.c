/* The guest's EL1 virtual timer (Arm ARM D11.2.4 CNTV_*): the guest programs it directly. When it
 * fires while the guest runs, the physical PPI 27 reaches EL2; Tessera masks the timer output
 * (CNTV_CTL.IMASK) and makes virtual INTID 27 pending for the vCPU, which reprograms the timer
 * (clearing IMASK) when it handles it. While the vCPU is off its CPU, a host timer event stands in
 * for the hardware timer. */
#include "arch/timer.h"
#include "arch_impl/sysreg.h"
#include "arch_impl/vgic.h"
#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "kernel/timer.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define CNTV_CTL_ENABLE 1ULL
#define CNTV_CTL_IMASK 2ULL

/* The vCPU whose state is loaded on this CPU (arch_scratch[1]), or NULL. */
static struct vcpu *loaded_vcpu(void)
{
	return (struct vcpu *)(uintptr_t)this_cpu()->arch_scratch[1];
}

static void vtimer_irq(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	struct vcpu *vcpu = loaded_vcpu();
	write_sysreg(cntv_ctl_el0, read_sysreg(cntv_ctl_el0) | CNTV_CTL_IMASK);
	isb();
	if (vcpu)
		vgic_inject(vcpu->vm, vcpu, VGIC_VTIMER_INTID);
}

void vgic_vtimer_init_cpu(void)
{
	irq_register(VGIC_VTIMER_INTID, vtimer_irq, NULL);
	irq_enable(VGIC_VTIMER_INTID);
}

static void vtimer_wakeup(struct timer_event *event, void *arg)
{
	(void)event;
	struct vcpu *vcpu = arg;
	vcpu->arch.el1.cntv_ctl |= CNTV_CTL_IMASK;
	vgic_inject(vcpu->vm, vcpu, VGIC_VTIMER_INTID);
}

/* Called from arch_vcpu_put after the timer state was saved. */
void vtimer_put(struct vcpu *vcpu)
{
	this_cpu()->arch_scratch[1] = 0;
	uint64_t ctl = vcpu->arch.el1.cntv_ctl;
	if (vcpu->vm->arch.vgic && (ctl & CNTV_CTL_ENABLE) && !(ctl & CNTV_CTL_IMASK))
		timer_arm(&vcpu->arch.vtimer_wakeup, vcpu->arch.el1.cntv_cval, vtimer_wakeup, vcpu);
}

void vtimer_load(struct vcpu *vcpu)
{
	timer_cancel(&vcpu->arch.vtimer_wakeup);
	this_cpu()->arch_scratch[1] = (uint64_t)(uintptr_t)vcpu;
}
