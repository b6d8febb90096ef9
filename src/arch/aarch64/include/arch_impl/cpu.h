/* SPDX-License-Identifier: Apache-2.0 */
/* aarch64 inline parts of the CPU contract (arch/cpu.h). Interrupt masking is PSTATE.I
 * (DAIF bit 7); the per-CPU pointer lives in TPIDR_EL2, which only EL2 can read. */
#ifndef ARCH_IMPL_CPU_H
#define ARCH_IMPL_CPU_H

#include "arch_impl/sysreg.h"

#define DAIF_IRQ (1UL << 7)

static inline unsigned long arch_irq_save(void)
{
	unsigned long flags = read_sysreg(daif);
	__asm__ volatile("msr daifset, #2" ::: "memory");
	return flags;
}

static inline void arch_irq_restore(unsigned long flags)
{
	write_sysreg(daif, flags);
}

static inline void arch_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

static inline void arch_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

static inline bool arch_irq_enabled(void)
{
	return !(read_sysreg(daif) & DAIF_IRQ);
}

static inline void arch_cpu_relax(void)
{
	__asm__ volatile("yield" ::: "memory");
}

static inline struct percpu *arch_this_cpu(void)
{
	return (struct percpu *)read_sysreg(tpidr_el2);
}

static inline void arch_memory_barrier(void)
{
	__asm__ volatile("dmb ish" ::: "memory");
}

#endif
