/* SPDX-License-Identifier: Apache-2.0 */
/* The scheduler's run queue (FIFO, and first for a preempting wake-up) and the timer queue (sorted by deadline, FIFO among equals). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/runqueue.h"
#include "kernel/timer_queue.h"

struct item {
	int id;
	struct list_node node;
};

static void test_run_queue_fifo(void **state)
{
	(void)state;
	struct run_queue rq;
	struct item items[4] = { { .id = 0 }, { .id = 1 }, { .id = 2 }, { .id = 3 } };
	run_queue_init(&rq);
	assert_null(run_queue_pop(&rq));
	for (int i = 0; i < 4; i++)
		run_queue_push(&rq, &items[i].node);
	assert_int_equal(rq.count, 4);
	run_queue_remove(&rq, &items[2].node);
	assert_int_equal(rq.count, 3);
	int expected[] = { 0, 1, 3 };
	for (int i = 0; i < 3; i++) {
		struct list_node *n = run_queue_pop(&rq);
		assert_int_equal(list_entry(n, struct item, node)->id, expected[i]);
	}
	assert_int_equal(rq.count, 0);
	assert_null(run_queue_pop(&rq));
	/* Round robin: a popped task pushed back goes behind the others. */
	run_queue_push(&rq, &items[0].node);
	run_queue_push(&rq, &items[1].node);
	run_queue_push(&rq, run_queue_pop(&rq));
	assert_int_equal(list_entry(run_queue_pop(&rq), struct item, node)->id, 1);
	assert_int_equal(list_entry(run_queue_pop(&rq), struct item, node)->id, 0);
	/* Wake-up preemption: the woken task goes before those that waited, and the task it
	 * preempted goes back before them too, behind it. */
	run_queue_push(&rq, &items[0].node);
	run_queue_push(&rq, &items[1].node);
	run_queue_push_front(&rq, &items[2].node);
	assert_int_equal(rq.count, 3);
	assert_int_equal(list_entry(run_queue_pop(&rq), struct item, node)->id, 2);
	run_queue_push_front(&rq, &items[3].node);
	int order[] = { 3, 0, 1 };
	for (int i = 0; i < 3; i++)
		assert_int_equal(list_entry(run_queue_pop(&rq), struct item, node)->id, order[i]);
	assert_int_equal(rq.count, 0);
}

static void noop(struct timer_event *e, void *arg)
{
	(void)e;
	(void)arg;
}

static void test_timer_queue_order(void **state)
{
	(void)state;
	struct timer_queue q;
	struct timer_event ev[5] = { 0 };
	uint64_t deadlines[5] = { 50, 10, 30, 10, 40 };
	timer_queue_init(&q);
	assert_int_equal(timer_queue_next_deadline(&q), UINT64_MAX);
	for (int i = 0; i < 5; i++) {
		ev[i].deadline = deadlines[i];
		ev[i].fn = noop;
		timer_queue_add(&q, &ev[i]);
		assert_true(ev[i].armed);
	}
	assert_int_equal(timer_queue_next_deadline(&q), 10);
	assert_null(timer_queue_pop_expired(&q, 9));
	/* Equal deadlines come out in the order they were added. */
	assert_ptr_equal(timer_queue_pop_expired(&q, 10), &ev[1]);
	assert_ptr_equal(timer_queue_pop_expired(&q, 10), &ev[3]);
	assert_null(timer_queue_pop_expired(&q, 10));
	timer_queue_remove(&q, &ev[4]);
	assert_false(ev[4].armed);
	timer_queue_remove(&q, &ev[4]); /* removing twice is harmless */
	assert_ptr_equal(timer_queue_pop_expired(&q, 1000), &ev[2]);
	assert_ptr_equal(timer_queue_pop_expired(&q, 1000), &ev[0]);
	assert_null(timer_queue_pop_expired(&q, UINT64_MAX));
	assert_false(ev[0].armed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_queue_fifo),
		cmocka_unit_test(test_timer_queue_order),
	};
	return cmocka_run_group_tests_name("queues", tests, NULL, NULL);
}
