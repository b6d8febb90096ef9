/* SPDX-License-Identifier: Apache-2.0 */
/* The arch contract, task context part: the callee-saved state of a kernel task and the switch.
 * struct arch_context is defined by the arch (arch_impl/context.h). */
#ifndef ARCH_CONTEXT_H
#define ARCH_CONTEXT_H

#include "lib/types.h"
#include "arch_impl/context.h"

/* Prepares a context that, when first switched to, calls entry(arg) on the given stack with
 * interrupts masked. entry must never return. */
void arch_context_init(struct arch_context *ctx, uintptr_t stack_top, void (*entry)(void *), void *arg);

/* Saves the caller's callee-saved registers into from and resumes to. Called with interrupts
 * masked; returns when something switches back to from. */
void arch_context_switch(struct arch_context *from, struct arch_context *to);

#endif
