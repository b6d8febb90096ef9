/* SPDX-License-Identifier: Apache-2.0 */
/* The arch contract, CPU part: interrupt masking, idling, per-CPU pointer, halting.
 * Every arch implements these in src/arch/<arch>/ (most are static inline in arch_impl/cpu.h). */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include "lib/types.h"

struct percpu;

#include "arch_impl/cpu.h"

/* Masks interrupts on this CPU and returns the previous state for arch_irq_restore. */
static inline unsigned long arch_irq_save(void);
static inline void arch_irq_restore(unsigned long flags);
static inline void arch_irq_enable(void);
static inline void arch_irq_disable(void);
static inline bool arch_irq_enabled(void);

/* Called with interrupts masked. Waits until an interrupt is pending, lets it be taken, and
 * returns with interrupts masked again (WFI, HLT, wfi): no wake-up can be lost in between. */
void arch_cpu_idle(void);

/* A hint inside spin loops. */
static inline void arch_cpu_relax(void);

/* This CPU's per-CPU block (TPIDR_EL2 on aarch64, tp/sscratch on riscv64, GS base on x86_64). */
static inline struct percpu *arch_this_cpu(void);
void arch_set_this_cpu(struct percpu *cpu);

/* Full barrier for memory shared between CPUs. */
static inline void arch_memory_barrier(void);

/* Zeroes memory fast (DC ZVA on aarch64; memset elsewhere): clearing guest RAM is most of the cost
 * of creating a VM. Any alignment and size. */
void arch_zero_memory(void *start, size_t size);

/* Stops this CPU for good, interrupts masked. */
__noreturn void arch_cpu_halt(void);

#endif
