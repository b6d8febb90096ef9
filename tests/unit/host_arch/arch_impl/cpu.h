/* SPDX-License-Identifier: Apache-2.0 */
/* The CPU part of the arch contract (include/arch/cpu.h) for host unit tests of kernel code that
 * reaches its per-CPU block: no interrupts to mask, and "this CPU" is whichever block the test
 * names in host_this_cpu. */
#ifndef HOST_ARCH_IMPL_CPU_H
#define HOST_ARCH_IMPL_CPU_H

extern struct percpu *host_this_cpu;

static inline unsigned long arch_irq_save(void) { return 0; }
static inline void arch_irq_restore(unsigned long flags) { (void)flags; }
static inline void arch_irq_enable(void) {}
static inline void arch_irq_disable(void) {}
static inline bool arch_irq_enabled(void) { return false; }
static inline void arch_cpu_relax(void) {}
static inline struct percpu *arch_this_cpu(void) { return host_this_cpu; }
static inline void arch_memory_barrier(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

#endif
