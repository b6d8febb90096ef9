/* SPDX-License-Identifier: Apache-2.0 */
/* A CPU's pending timer events, kept sorted by deadline so the earliest is at the front.
 * Pure data structure (no locking, no clock): the owner holds percpu.lock and passes "now".
 * Host-tested in tests/unit/test_timer_queue.c. */
#ifndef KERNEL_TIMER_QUEUE_H
#define KERNEL_TIMER_QUEUE_H

#include "lib/list.h"

struct timer_event;
typedef void (*timer_fn)(struct timer_event *event, void *arg);

struct timer_event {
	struct list_node node;
	uint64_t deadline; /* absolute, in arch timer ticks */
	timer_fn fn;
	void *arg;
	bool armed;
	unsigned cpu; /* the CPU whose queue holds it while armed */
};

struct timer_queue {
	struct list_node head;
};

void timer_queue_init(struct timer_queue *q);
/* Inserts after every event with the same or an earlier deadline (FIFO among equals). */
void timer_queue_add(struct timer_queue *q, struct timer_event *event);
void timer_queue_remove(struct timer_queue *q, struct timer_event *event);
/* Deadline of the earliest event, or UINT64_MAX when empty. */
uint64_t timer_queue_next_deadline(const struct timer_queue *q);
/* Unlinks and returns the earliest event whose deadline is <= now, or NULL. */
struct timer_event *timer_queue_pop_expired(struct timer_queue *q, uint64_t now);

#endif
