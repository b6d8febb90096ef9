/* SPDX-License-Identifier: Apache-2.0 */
/* Run queue: FIFO of runnable tasks (see kernel/runqueue.h). */
#include "kernel/runqueue.h"

void run_queue_init(struct run_queue *rq)
{
	list_init(&rq->head);
	rq->count = 0;
}

void run_queue_push(struct run_queue *rq, struct list_node *node)
{
	list_push_back(&rq->head, node);
	rq->count++;
}

void run_queue_push_front(struct run_queue *rq, struct list_node *node)
{
	list_push_front(&rq->head, node);
	rq->count++;
}

struct list_node *run_queue_pop(struct run_queue *rq)
{
	struct list_node *node = list_pop_front(&rq->head);
	if (node)
		rq->count--;
	return node;
}

void run_queue_remove(struct run_queue *rq, struct list_node *node)
{
	list_remove(node);
	rq->count--;
}
