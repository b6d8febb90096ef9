/* SPDX-License-Identifier: Apache-2.0 */
/* Who has the hypervisor's console (see vmm/console_focus.h). */
#include "vmm/console_focus.h"
#include "vmm/vm.h"
#include "vmm/vm_list.h"
#include "kernel/console.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"

#define ESCAPE 0x01 /* Ctrl-A */
#define ESCAPE_DIGITS_MAX 9

static struct spinlock focus_lock = SPINLOCK_INIT;
static void (*shell_input)(char c);
static struct vm *focus;        /* NULL: the shell (or, without one, nobody) */
static bool focus_given;        /* a VM or the shell has had it: later VMs do not take it */
static bool escaped;
static unsigned escape_id, escape_digits; /* more than ESCAPE_DIGITS_MAX digits: no VM has that id */

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

void console_focus_init(void (*shell)(char c))
{
	shell_input = shell;
}

bool console_focus_has_shell(void)
{
	return shell_input != NULL;
}

bool console_focus_shows(const struct vm *vm)
{
	/* Read without the lock: a line shown or held back around a switch is harmless. */
	return !shell_input || __atomic_load_n(&focus, __ATOMIC_RELAXED) == vm;
}

static void set_focus(struct vm *vm)
{
	__atomic_store_n(&focus, vm, __ATOMIC_RELAXED);
	focus_given = true;
}

void console_focus_add(struct vm *vm)
{
	if (!vm->console_rx)
		return;
	unsigned long flags = spin_lock_irqsave(&focus_lock);
	bool first = !focus_given;
	if (first)
		set_focus(vm);
	spin_unlock_irqrestore(&focus_lock, flags);
	if (first)
		log_info("Console input goes to VM[%u] %s (Ctrl-A, a VM id, Enter switches%s)", vm->id, vm->name,
			 shell_input ? "; Ctrl-A Enter: the shell" : "");
}

void console_focus_forget(struct vm *vm)
{
	unsigned long flags = spin_lock_irqsave(&focus_lock);
	bool had = focus == vm;
	if (had)
		set_focus(NULL);
	spin_unlock_irqrestore(&focus_lock, flags);
	if (had && shell_input)
		console_printf("\n[tessera: VM[%u] is gone: the shell has the console]\n", vm->id);
}

/* With focus_lock held. */
static int focus_vm_locked(unsigned id)
{
	struct vm *vm = vm_list_find(id);
	if (!vm)
		return -ENOENT;
	if (!vm->console_rx)
		return -ENODEV;
	set_focus(vm);
	console_printf("\n[tessera: console input goes to VM[%u] %s]\n", id, vm->name);
	/* Without a shell every line was shown as it came: nothing to catch up on. */
	if (shell_input)
		vm_console_replay(vm, CONSOLE_FOCUS_REPLAY_LINES);
	return 0;
}

int console_focus_vm(unsigned id)
{
	unsigned long flags = spin_lock_irqsave(&focus_lock);
	int err = focus_vm_locked(id);
	spin_unlock_irqrestore(&focus_lock, flags);
	return err;
}

/* With focus_lock held. */
static int focus_shell_locked(void)
{
	if (!shell_input)
		return -ENOTSUP;
	set_focus(NULL);
	shell_input('\f'); /* the shell shows its prompt again */
	return 0;
}

int console_focus_shell(void)
{
	unsigned long flags = spin_lock_irqsave(&focus_lock);
	int err = focus_shell_locked();
	spin_unlock_irqrestore(&focus_lock, flags);
	return err;
}

/* The end of an escape: Ctrl-A [digits] Enter. With focus_lock held. */
static void finish_escape(void)
{
	if (!escape_digits) {
		if (focus_shell_locked() < 0)
			console_printf("\n[tessera: no shell (the hypervisor runs without one)]\n");
		return;
	}
	int err = escape_digits > ESCAPE_DIGITS_MAX ? -ENOENT : focus_vm_locked(escape_id);
	if (err == -ENOENT && escape_digits > ESCAPE_DIGITS_MAX)
		console_printf("\n[tessera: no VM has an id that long]\n");
	else if (err == -ENOENT)
		console_printf("\n[tessera: no VM %u]\n", escape_id);
	else if (err == -ENODEV)
		console_printf("\n[tessera: VM %u has no console device to type to]\n", escape_id);
}

/* Takes a character of an escape: a digit of the id, its end, or anything else (dropped). */
static void escape_char(char c)
{
	if (c >= '0' && c <= '9') {
		if (escape_digits < ESCAPE_DIGITS_MAX)
			escape_id = escape_id * 10 + (unsigned)(c - '0');
		escape_digits++;
		return;
	}
	escaped = false;
	if (c == '\r' || c == '\n' || (c == 's' && !escape_digits))
		finish_escape();
}

static void deliver(char c)
{
	struct vm *vm = focus;
	if (vm) {
		if (vm->state == VM_RUNNING)
			vm->console_rx(vm->console_rx_device, c);
	} else if (shell_input) {
		shell_input(c);
	}
}

void console_focus_input(char c)
{
	unsigned long flags = spin_lock_irqsave(&focus_lock);
	if (escaped && !(c == ESCAPE && !escape_digits)) {
		escape_char(c);
	} else if (escaped) {
		escaped = false;
		deliver(c); /* Ctrl-A Ctrl-A: one Ctrl-A for the focus */
	} else if (c == ESCAPE) {
		escaped = true;
		escape_id = 0;
		escape_digits = 0;
	} else {
		deliver(c);
	}
	spin_unlock_irqrestore(&focus_lock, flags);
}
