/* SPDX-License-Identifier: Apache-2.0 */
/* The VMs that exist (see vmm/vm_list.h), kept in id order. */
#include "vmm/vm_list.h"
#include "vmm/vm.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"

static struct spinlock list_lock = SPINLOCK_INIT;
static struct vm *vms[VM_MAX];
static unsigned vm_count;

int vm_list_add(struct vm *vm)
{
	unsigned long flags = spin_lock_irqsave(&list_lock);
	int err = 0;
	unsigned at = 0;
	while (at < vm_count && vms[at]->id < vm->id)
		at++;
	if (at < vm_count && vms[at]->id == vm->id)
		err = -EEXIST;
	else if (vm_count == VM_MAX)
		err = -ENOSPC;
	if (err == 0) {
		for (unsigned i = vm_count; i > at; i--)
			vms[i] = vms[i - 1];
		vms[at] = vm;
		vm_count++;
	}
	spin_unlock_irqrestore(&list_lock, flags);
	return err;
}

void vm_list_remove(struct vm *vm)
{
	unsigned long flags = spin_lock_irqsave(&list_lock);
	for (unsigned i = 0; i < vm_count; i++) {
		if (vms[i] != vm)
			continue;
		for (unsigned j = i + 1; j < vm_count; j++)
			vms[j - 1] = vms[j];
		vm_count--;
		break;
	}
	spin_unlock_irqrestore(&list_lock, flags);
}

struct vm *vm_list_find(unsigned id)
{
	unsigned long flags = spin_lock_irqsave(&list_lock);
	struct vm *found = NULL;
	for (unsigned i = 0; i < vm_count && !found; i++)
		if (vms[i]->id == id)
			found = vms[i];
	spin_unlock_irqrestore(&list_lock, flags);
	return found;
}

unsigned vm_list_snapshot(struct vm **out, unsigned max)
{
	unsigned long flags = spin_lock_irqsave(&list_lock);
	unsigned n = vm_count < max ? vm_count : max;
	for (unsigned i = 0; i < n; i++)
		out[i] = vms[i];
	spin_unlock_irqrestore(&list_lock, flags);
	return n;
}
