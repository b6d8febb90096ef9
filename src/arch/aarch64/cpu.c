/* SPDX-License-Identifier: Apache-2.0 */
/* aarch64 CPU contract: per-CPU pointer, idling, halting, power, task contexts. */
#include "arch/boot.h"
#include "arch/context.h"
#include "arch/cpu.h"
#include "arch_impl/psci.h"
#include "arch_impl/sysreg.h"
#include "kernel/log.h"
#include "lib/format.h"
#include "lib/string.h"

void arch_set_this_cpu(struct percpu *cpu)
{
	write_sysreg(tpidr_el2, (uint64_t)(uintptr_t)cpu);
}

/* WFI with PSTATE.I set still wakes on a pending interrupt (Arm ARM D1.16.2); unmasking then
 * lets it be taken before masking again. */
void arch_cpu_idle(void)
{
	dsb(sy);
	__asm__ volatile("wfi");
	arch_irq_enable();
	isb();
	arch_irq_disable();
}

void arch_cpu_halt(void)
{
	arch_irq_disable();
	for (;;)
		__asm__ volatile("wfi");
}

void arch_power_off(void)
{
	int64_t err = psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	log_error("PSCI SYSTEM_OFF failed (%lld); halting this CPU", (long long)err);
	arch_cpu_halt();
}

void arch_reset(void)
{
	int64_t err = psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
	log_error("PSCI SYSTEM_RESET failed (%lld); halting this CPU", (long long)err);
	arch_cpu_halt();
}

bool arch_virtualization_supported(const char **why)
{
	/* head.S only reaches C at EL2 on this path; the remaining question is whether EL1 can run
	 * AArch64 guests: ID_AA64PFR0_EL1.EL1 (bits [7:4]) is 1 (AArch64 only) or 2 (both). */
	uint64_t pfr0 = read_sysreg(id_aa64pfr0_el1);
	if (((pfr0 >> 4) & 0xf) == 0) {
		*why = "EL1 is not implemented";
		return false;
	}
	return true;
}

extern void context_first_entry(void);

void arch_context_init(struct arch_context *ctx, uintptr_t stack_top, void (*entry)(void *), void *arg)
{
	*ctx = (struct arch_context){ 0 };
	ctx->x19_x29[0] = (uint64_t)(uintptr_t)entry;
	ctx->x19_x29[1] = (uint64_t)(uintptr_t)arg;
	ctx->lr = (uint64_t)(uintptr_t)context_first_entry;
	ctx->sp = ALIGN_DOWN(stack_top, 16);
}

/* DC ZVA zeroes one block (DCZID_EL0.BS words, Arm ARM D19.2.30) per instruction; the edges that
 * are not whole blocks go through memset. */
void arch_zero_memory(void *start, size_t size)
{
	uint64_t dczid = read_sysreg(dczid_el0);
	uintptr_t p = (uintptr_t)start, end = p + size;
	if (dczid & (1u << 4)) { /* DZP: DC ZVA prohibited */
		memset(start, 0, size);
		return;
	}
	uintptr_t block = 4u << (dczid & 0xf);
	uintptr_t first = ALIGN_UP(p, block), last = ALIGN_DOWN(end, block);
	if (first >= last) {
		memset(start, 0, size);
		return;
	}
	memset(start, 0, first - p);
	/* Eight blocks a turn of the loop: a VM's RAM is megabytes, and the loop's own add, compare
	 * and branch would otherwise cost more than the DC ZVA they serve. */
	uintptr_t at = first;
	for (; last - at >= 8 * block; at += 8 * block)
		__asm__ volatile("dc zva, %0\n\tdc zva, %1\n\tdc zva, %2\n\tdc zva, %3\n\t"
				 "dc zva, %4\n\tdc zva, %5\n\tdc zva, %6\n\tdc zva, %7"
				 ::"r"(at), "r"(at + block), "r"(at + 2 * block), "r"(at + 3 * block), "r"(at + 4 * block),
				 "r"(at + 5 * block), "r"(at + 6 * block), "r"(at + 7 * block)
				 : "memory");
	for (; at < last; at += block)
		__asm__ volatile("dc zva, %0" ::"r"(at) : "memory");
	dsb(ish);
	memset((void *)last, 0, end - last);
}
