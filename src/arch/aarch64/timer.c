/* SPDX-License-Identifier: Apache-2.0 */
/* The hypervisor's timer on aarch64: the EL2 physical timer (CNTHP_*, Arm ARM D11.2), on the
 * counter CNTPCT_EL0. Guests keep the EL1 virtual and physical timers. Its PPI comes from the
 * device tree's arm,armv8-timer node (4th interrupt: the hypervisor timer; INTID 26 on QEMU). */
#include "arch/timer.h"
#include "arch_impl/sysreg.h"
#include "kernel/irq.h"
#include "kernel/timer.h"
#include "lib/fdt.h"

#define CNTHP_CTL_ENABLE 1
#define CNTHP_CTL_IMASK 2
#define DEFAULT_HYP_TIMER_INTID 26

static unsigned hyp_timer_intid = DEFAULT_HYP_TIMER_INTID;

void timer_probe_fdt(const void *fdt)
{
	int node = fdt_find_compatible(fdt, -1, "arm,armv8-timer");
	if (node < 0)
		return;
	int len;
	const uint8_t *irqs = fdt_getprop(fdt, node, "interrupts", &len);
	/* Four (type, number, flags) triples: secure, non-secure, virtual, hypervisor; PPIs start
	 * at INTID 16. */
	if (irqs && len >= 48)
		hyp_timer_intid = fdt_be32(irqs + 36 + 4) + 16;
}

uint64_t arch_timer_now(void)
{
	isb();
	return read_sysreg(cntpct_el0);
}

uint64_t arch_timer_frequency(void)
{
	return read_sysreg(cntfrq_el0);
}

void arch_timer_set_deadline(uint64_t ticks)
{
	write_sysreg(cnthp_cval_el2, ticks);
	write_sysreg(cnthp_ctl_el2, CNTHP_CTL_ENABLE);
	isb();
}

void arch_timer_stop(void)
{
	write_sysreg(cnthp_ctl_el2, CNTHP_CTL_IMASK);
	isb();
}

static void hyp_timer_irq(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	/* The level interrupt stays asserted until the timer is reprogrammed or masked. */
	write_sysreg(cnthp_ctl_el2, CNTHP_CTL_IMASK);
	timer_interrupt();
}

void arch_timer_init_cpu(void)
{
	irq_register_own(hyp_timer_intid, hyp_timer_irq, "the hypervisor's timer");
}
