/* SPDX-License-Identifier: Apache-2.0 */
/* The VMs that exist, by id (vm_list.c): made at boot and by the shell's `vm create`, gone at
 * `vm delete`. Only the shell deletes, so a VM found from the shell's task stays valid until the
 * shell itself deletes it; other contexts (interrupts: the console's focus) look up under the
 * list's lock and must be told of a removal (console_focus_forget). */
#ifndef VMM_VM_LIST_H
#define VMM_VM_LIST_H

#include "lib/types.h"

struct vm;

/* -EEXIST: a VM with its id exists; -ENOSPC: VM_MAX VMs exist. */
__must_check int vm_list_add(struct vm *vm);
void vm_list_remove(struct vm *vm);
struct vm *vm_list_find(unsigned id);
/* Copies up to max VMs, in id order, into out; returns how many. */
unsigned vm_list_snapshot(struct vm **out, unsigned max);

#endif
