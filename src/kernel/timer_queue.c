/* SPDX-License-Identifier: Apache-2.0 */
/* Timer queue: events sorted by deadline (see kernel/timer_queue.h). A sorted list is the right
 * size here: a CPU has a handful of pending events (a time slice, a few sleeping tasks, a vCPU's
 * virtual timer), so insertion cost is a few comparisons. */
#include "kernel/timer_queue.h"

void timer_queue_init(struct timer_queue *q)
{
	list_init(&q->head);
}

void timer_queue_add(struct timer_queue *q, struct timer_event *event)
{
	struct list_node *pos = &q->head;
	list_for_each(n, &q->head) {
		if (list_entry(n, struct timer_event, node)->deadline > event->deadline) {
			pos = n;
			break;
		}
	}
	list_insert_before(pos, &event->node);
	event->armed = true;
}

void timer_queue_remove(struct timer_queue *q, struct timer_event *event)
{
	(void)q;
	if (event->armed) {
		list_remove(&event->node);
		event->armed = false;
	}
}

uint64_t timer_queue_next_deadline(const struct timer_queue *q)
{
	if (list_empty(&q->head))
		return UINT64_MAX;
	return list_entry(q->head.next, struct timer_event, node)->deadline;
}

struct timer_event *timer_queue_pop_expired(struct timer_queue *q, uint64_t now)
{
	if (list_empty(&q->head))
		return NULL;
	struct timer_event *first = list_entry(q->head.next, struct timer_event, node);
	if (first->deadline > now)
		return NULL;
	timer_queue_remove(q, first);
	return first;
}
