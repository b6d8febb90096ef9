/* SPDX-License-Identifier: Apache-2.0 */
/* Per-CPU odds and ends of the arch contract: idling, halting, the per-CPU pointer, task contexts. */
#include "arch_impl/msr.h"
#include "arch/boot.h"
#include "arch/context.h"
#include "arch/cpu.h"
#include "lib/string.h"
#include "kernel/percpu.h"

void arch_cpu_idle(void)
{
	/* STI takes effect after the next instruction (AMD APM vol. 3, STI), so an interrupt pending
	 * before the HLT still wakes it: no wake-up is lost between the check and the sleep. */
	__asm__ volatile("sti; hlt; cli" : : : "memory");
}

__noreturn void arch_cpu_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" : : : "memory");
}

void arch_set_this_cpu(struct percpu *cpu)
{
	cpu->arch_scratch[0] = (uint64_t)(uintptr_t)cpu; /* what arch_this_cpu() loads from %gs:0 */
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)cpu);
}

void arch_cpu_late_init(unsigned cpu_index)
{
	/* Nothing on x86: the LAPIC is set up by the irqchip driver's init_cpu, its timer by
	 * arch_timer_init_cpu, and the IPI and timer vectors are fixed in trap.c. */
	UNUSED(cpu_index);
}

extern const char x86_context_first_entry[];

void arch_context_init(struct arch_context *ctx, uintptr_t stack_top, void (*entry)(void *), void *arg)
{
	/* The first switch "returns" into x86_context_first_entry with RSP = stack_top (16-byte
	 * aligned), which calls entry(arg). */
	uint64_t *sp = (uint64_t *)(ALIGN_DOWN(stack_top, 16) - 8);
	*sp = (uint64_t)(uintptr_t)x86_context_first_entry;
	*ctx = (struct arch_context){
		.rsp = (uint64_t)(uintptr_t)sp,
		.r12 = (uint64_t)(uintptr_t)arg,
		.r13 = (uint64_t)(uintptr_t)entry,
	};
}

/* REP STOSQ: the string store the CPU itself splits into its widest writes (AMD's software
 * optimization guide recommends it for large fills); the tail under 8 bytes through memset. */
void arch_zero_memory(void *start, size_t size)
{
	void *at = start;
	size_t words = size / 8;
	__asm__ volatile("rep stosq" : "+D"(at), "+c"(words) : "a"(0UL) : "memory");
	memset(at, 0, size % 8);
}
