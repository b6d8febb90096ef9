/* SPDX-License-Identifier: Apache-2.0 */
/* Task contexts: a new task starts in riscv_task_trampoline (context_switch.S), which calls
 * entry(arg) on its own stack with interrupts masked (they stay masked across the switch). */
#include "arch/context.h"
#include "lib/string.h"

void riscv_task_trampoline(void);

void arch_context_init(struct arch_context *ctx, uintptr_t stack_top, void (*entry)(void *),
		       void *arg)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->ra = (uint64_t)(uintptr_t)riscv_task_trampoline;
	ctx->sp = ALIGN_DOWN((uint64_t)stack_top, 16); /* psABI: sp is 16-byte aligned */
	ctx->s[0] = (uint64_t)(uintptr_t)arg;
	ctx->s[1] = (uint64_t)(uintptr_t)entry;
}
