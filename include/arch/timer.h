/* SPDX-License-Identifier: Apache-2.0 */
/* The arch contract, timer part: one monotonic counter shared by all CPUs and a one-shot
 * deadline per CPU. The arch calls timer_interrupt() (kernel/timer.h) when the deadline passes. */
#ifndef ARCH_TIMER_H
#define ARCH_TIMER_H

#include "lib/types.h"

/* Ticks since an arbitrary epoch; the same clock on every CPU. */
uint64_t arch_timer_now(void);
/* Ticks per second. */
uint64_t arch_timer_frequency(void);
/* Arms this CPU's one-shot timer for an absolute tick count (a past value fires at once). */
void arch_timer_set_deadline(uint64_t ticks);
/* Disarms this CPU's timer. */
void arch_timer_stop(void);
/* Per-CPU set-up: routes and unmasks the timer interrupt. Called on every CPU after the irqchip. */
void arch_timer_init_cpu(void);

#endif
