/* SPDX-License-Identifier: Apache-2.0 */
/* Ticket spinlocks, fair between CPUs. spin_lock_irqsave also masks interrupts on this CPU, which
 * every lock that an interrupt handler may take must use. */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include "lib/types.h"

struct spinlock {
	uint32_t next;
	uint32_t owner;
};

#define SPINLOCK_INIT { 0, 0 }

void spin_lock(struct spinlock *lock);
void spin_unlock(struct spinlock *lock);
unsigned long spin_lock_irqsave(struct spinlock *lock);
void spin_unlock_irqrestore(struct spinlock *lock, unsigned long flags);

#endif
