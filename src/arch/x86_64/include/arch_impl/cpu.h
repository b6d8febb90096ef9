/* SPDX-License-Identifier: Apache-2.0 */
/* x86_64 inline CPU primitives for the arch contract (include/arch/cpu.h): interrupt masking
 * through RFLAGS.IF, PAUSE, and the per-CPU pointer, which lives in percpu.arch_scratch[0] and is
 * reached through the GS base (AMD APM vol. 2, 4.5.3: FS and GS in 64-bit mode). */
#ifndef ARCH_IMPL_CPU_H
#define ARCH_IMPL_CPU_H

#include "lib/types.h"

#define X86_RFLAGS_IF (1UL << 9)

static inline unsigned long arch_irq_save(void)
{
	unsigned long flags;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static inline void arch_irq_restore(unsigned long flags)
{
	if (flags & X86_RFLAGS_IF)
		__asm__ volatile("sti" : : : "memory");
}

static inline void arch_irq_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline void arch_irq_disable(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline bool arch_irq_enabled(void)
{
	unsigned long flags;
	__asm__ volatile("pushfq; popq %0" : "=r"(flags));
	return (flags & X86_RFLAGS_IF) != 0;
}

static inline void arch_cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

/* arch_set_this_cpu() stores the block's own address in its first scratch word, so one
 * GS-relative load finds it. */
static inline struct percpu *arch_this_cpu(void)
{
	struct percpu *cpu;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(cpu));
	return cpu;
}

static inline void arch_memory_barrier(void)
{
	__asm__ volatile("mfence" : : : "memory");
}

#endif
