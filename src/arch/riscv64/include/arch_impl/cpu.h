/* SPDX-License-Identifier: Apache-2.0 */
/* riscv64 part of the CPU contract (arch/cpu.h): interrupt masking with sstatus.SIE, the per-CPU
 * pointer in tp. tp holds this CPU's struct percpu while the hypervisor runs; sscratch holds the
 * same pointer at all times, so the trap entry finds it even when tp belongs to a guest. */
#ifndef ARCH_IMPL_CPU_H
#define ARCH_IMPL_CPU_H

#include "lib/types.h"
#include "arch_impl/csr.h"

static inline unsigned long arch_irq_save(void)
{
	return csr_read_clear(sstatus, SSTATUS_SIE) & SSTATUS_SIE;
}

static inline void arch_irq_restore(unsigned long flags)
{
	csr_set(sstatus, flags & SSTATUS_SIE);
}

static inline void arch_irq_enable(void)
{
	csr_set(sstatus, SSTATUS_SIE);
}

static inline void arch_irq_disable(void)
{
	csr_clear(sstatus, SSTATUS_SIE);
}

static inline bool arch_irq_enabled(void)
{
	return (csr_read(sstatus) & SSTATUS_SIE) != 0;
}

static inline void arch_cpu_relax(void)
{
	/* Zihintpause 'pause' (a FENCE hint: a no-op where the extension is absent). */
	__asm__ __volatile__(".insn i 0x0f, 0, x0, x0, 0x010" ::: "memory");
}

static inline struct percpu *arch_this_cpu(void)
{
	struct percpu *cpu;
	/* volatile: a task may be preempted and resumed on another CPU between two reads. */
	__asm__ __volatile__("mv %0, tp" : "=r"(cpu));
	return cpu;
}

static inline void arch_memory_barrier(void)
{
	__asm__ __volatile__("fence rw, rw" ::: "memory");
}

#endif
