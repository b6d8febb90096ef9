/* SPDX-License-Identifier: Apache-2.0 */
/* Typed input for the guests (see vm_console_input in vmm/vm.h). The hypervisor's UART raises its
 * receive interrupt; each character goes to the console device (an emulated UART, a virtio
 * console) of the VM that has the focus. */
#include "vmm/vm.h"
#include "kernel/console.h"
#include "kernel/log.h"

#define ESCAPE 0x01 /* Ctrl-A */

static struct vm *candidates[VM_MAX];
static unsigned candidate_count;
static struct vm *focus;
static bool escaped;

void vm_set_console_input(struct vm *vm, void (*rx)(void *device, char c), void *device)
{
	if (vm->console_rx)
		return;
	vm->console_rx = rx;
	vm->console_rx_device = device;
}

void vm_take_console_input(struct vm *vm, void (*rx)(void *device, char c), void *device)
{
	vm->console_rx = rx;
	vm->console_rx_device = device;
}

void vm_console_input_add(struct vm *vm)
{
	if (!vm->console_rx || candidate_count >= VM_MAX)
		return;
	candidates[candidate_count++] = vm;
	if (!focus) {
		focus = vm;
		log_info("Console input goes to VM[%u] %s (Ctrl-A then a VM id switches)", vm->id, vm->name);
	}
}

static void switch_focus(unsigned id)
{
	for (unsigned i = 0; i < candidate_count; i++) {
		if (candidates[i]->id == id) {
			focus = candidates[i];
			console_printf("\n[tessera: console input goes to VM[%u] %s]\n", id, focus->name);
			return;
		}
	}
	console_printf("\n[tessera: no VM %u takes console input]\n", id);
}

void vm_console_input(char c)
{
	if (escaped) {
		escaped = false;
		if (c >= '1' && c <= '9') {
			switch_focus((unsigned)(c - '0'));
			return;
		}
		if (c != ESCAPE)
			return;
	} else if (c == ESCAPE) {
		escaped = true;
		return;
	}
	struct vm *vm = focus;
	if (vm && vm->state == VM_RUNNING)
		vm->console_rx(vm->console_rx_device, c);
}
