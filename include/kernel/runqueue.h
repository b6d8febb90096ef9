/* SPDX-License-Identifier: Apache-2.0 */
/* A CPU's queue of runnable tasks: round-robin FIFO. Pure data structure (no locking): the owner
 * holds percpu.lock. Host-tested in tests/unit/test_runqueue.c. */
#ifndef KERNEL_RUNQUEUE_H
#define KERNEL_RUNQUEUE_H

#include "lib/list.h"

struct run_queue {
	struct list_node head;
	unsigned count;
};

void run_queue_init(struct run_queue *rq);
void run_queue_push(struct run_queue *rq, struct list_node *node);
/* Removes and returns the task that waited longest, or NULL. */
struct list_node *run_queue_pop(struct run_queue *rq);
/* Queues a task to be taken next, before those that waited. */
void run_queue_push_front(struct run_queue *rq, struct list_node *node);
void run_queue_remove(struct run_queue *rq, struct list_node *node);

#endif
