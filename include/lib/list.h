/* SPDX-License-Identifier: Apache-2.0 */
/* Intrusive circular doubly-linked lists: the node lives inside the object, so insertion and
 * removal never allocate. */
#ifndef LIB_LIST_H
#define LIB_LIST_H

#include "lib/types.h"

struct list_node {
	struct list_node *prev, *next;
};

#define LIST_INIT(name) { &(name), &(name) }

static inline void list_init(struct list_node *head)
{
	head->prev = head->next = head;
}

static inline bool list_empty(const struct list_node *head)
{
	return head->next == head;
}

static inline void list_insert_between(struct list_node *node, struct list_node *prev, struct list_node *next)
{
	node->prev = prev;
	node->next = next;
	prev->next = node;
	next->prev = node;
}

/* Inserts node just before pos (at the tail when pos is the head). */
static inline void list_insert_before(struct list_node *pos, struct list_node *node)
{
	list_insert_between(node, pos->prev, pos);
}

static inline void list_push_back(struct list_node *head, struct list_node *node)
{
	list_insert_between(node, head->prev, head);
}

static inline void list_push_front(struct list_node *head, struct list_node *node)
{
	list_insert_between(node, head, head->next);
}

static inline void list_remove(struct list_node *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	node->prev = node->next = node;
}

static inline struct list_node *list_pop_front(struct list_node *head)
{
	if (list_empty(head))
		return NULL;
	struct list_node *node = head->next;
	list_remove(node);
	return node;
}

#define list_entry(node, type, member) container_of(node, type, member)
/* NOLINTBEGIN(bugprone-macro-parentheses): pos and tmp name the variables the loops declare */
#define list_for_each(pos, head) for (struct list_node *pos = (head)->next; pos != (head); pos = pos->next)
#define list_for_each_safe(pos, tmp, head) \
	for (struct list_node *pos = (head)->next, *tmp = pos->next; pos != (head); pos = tmp, tmp = pos->next)
/* NOLINTEND(bugprone-macro-parentheses) */

#endif
