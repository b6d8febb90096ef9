/* SPDX-License-Identifier: Apache-2.0 */
/* Timer events on top of the arch's one-shot timer: each CPU keeps its own queue and programs
 * its timer for the earliest deadline. Events run in interrupt context on the CPU that armed them. */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include "kernel/timer_queue.h"

void timer_init_cpu(void);
/* Arms event (on this CPU) to call fn(event, arg) at the absolute tick deadline. */
void timer_arm(struct timer_event *event, uint64_t deadline, timer_fn fn, void *arg);
void timer_cancel(struct timer_event *event);
/* Called by the arch when this CPU's timer fires. */
void timer_interrupt(void);

uint64_t timer_ns_to_ticks(uint64_t ns);
uint64_t timer_ticks_to_ns(uint64_t ticks);
/* Nanoseconds since boot. */
uint64_t timer_uptime_ns(void);

#endif
