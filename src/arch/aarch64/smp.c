/* SPDX-License-Identifier: Apache-2.0 */
/* Secondary CPUs on aarch64: started with PSCI CPU_ON (DEN0022, 5.6), reschedule IPIs as SGI 1. */
#include "arch/boot.h"
#include "arch_impl/psci.h"
#include "arch_impl/sysreg.h"
#include "kernel/irq.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "lib/string.h"
#include "lib/errno.h"

#define SGI_RESCHEDULE 1

/* Read by secondary_entry before it has a stack: { stack top, per-CPU pointer } per CPU. */
struct secondary_boot {
	uint64_t stack_top;
	uint64_t percpu;
};
struct secondary_boot secondary_boot[MAX_CPUS];

extern char secondary_entry[];

int arch_cpu_start(unsigned cpu_index, uint64_t hwid, uintptr_t stack_top)
{
	secondary_boot[cpu_index].stack_top = stack_top;
	secondary_boot[cpu_index].percpu = (uint64_t)(uintptr_t)percpu_of(cpu_index);
	dsb(sy);
	int64_t ret = psci_call(PSCI_CPU_ON_64, hwid, (uint64_t)(uintptr_t)secondary_entry, cpu_index);
	if (ret != PSCI_SUCCESS) {
		log_error("PSCI CPU_ON(%#llx) failed: %lld", (unsigned long long)hwid, (long long)ret);
		return ret == PSCI_ALREADY_ON ? -EBUSY : -EIO;
	}
	return 0;
}

void arch_secondary_main(unsigned cpu_index)
{
	arch_mmu_init_secondary();
	kernel_secondary_main(cpu_index);
}

static void reschedule_ipi(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	ipi_interrupt();
}

void arch_cpu_late_init(unsigned cpu_index)
{
	(void)cpu_index;
	irq_register_own(SGI_RESCHEDULE, reschedule_ipi, "the reschedule IPI");
}

void arch_send_ipi(unsigned cpu_index)
{
	const struct irqchip_ops *chip = irq_chip();
	if (chip && chip->send_ipi)
		chip->send_ipi(cpu_index, SGI_RESCHEDULE);
}
