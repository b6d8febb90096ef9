/* SPDX-License-Identifier: Apache-2.0 */
/* Who has the console (src/vmm/console_focus.c): Ctrl-A, an id and Enter give it to that VM (any
 * id, with a replay when there is a shell), Ctrl-A Enter to the shell, Ctrl-A Ctrl-A types one
 * Ctrl-A, an unknown escape is dropped, and a VM that goes is never reached again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/console.h"
#include "vmm/console_focus.h"
#include "vmm/vm.h"
#include "vmm/vm_list.h"

static struct vm vms[3];
static char typed[3][64], shell_typed[64], said[512];
static unsigned replays[3];

static struct vm *find(unsigned id)
{
	for (unsigned i = 0; i < 3; i++)
		if (vms[i].id == id)
			return &vms[i];
	return NULL;
}
struct vm *vm_list_find(unsigned id) { return find(id); }
void vm_console_replay(struct vm *vm, unsigned lines) { replays[vm - vms]++; }
unsigned long spin_lock_irqsave(struct spinlock *lock) { return 0; }
void spin_unlock_irqrestore(struct spinlock *lock, unsigned long flags) {}
void log_write(int level, const char *file, int line, const char *fmt, ...) {}
int console_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(said + strlen(said), sizeof(said) - strlen(said), fmt, ap);
	va_end(ap);
	return n;
}

static void vm_rx(void *device, char c)
{
	char *buffer = device;
	buffer[strlen(buffer)] = c;
}
static void shell_rx(char c)
{
	if (c != '\f')
		shell_typed[strlen(shell_typed)] = c;
}

static void type(const char *s)
{
	while (*s)
		console_focus_input(*s++);
}

/* One boot: VMs 2, 12 (console devices) and 5 (none); the shell on. */
static void focus_moves_by_escape(void **state)
{
	unsigned ids[3] = { 2, 12, 5 };
	for (unsigned i = 0; i < 3; i++) {
		vms[i].id = ids[i];
		vms[i].state = VM_RUNNING;
		if (i < 2)
			vm_set_console_input(&vms[i], vm_rx, typed[i]);
	}
	console_focus_init(shell_rx);
	for (unsigned i = 0; i < 3; i++)
		console_focus_add(&vms[i]);
	assert_true(console_focus_shows(&vms[0]) && !console_focus_shows(&vms[1]));

	type("ab\x01\x01" "c");                 /* Ctrl-A Ctrl-A: one Ctrl-A for VM 2 */
	assert_string_equal(typed[0], "ab\x01" "c");
	type("\x01" "12\r" "xy");                /* a two-digit id */
	assert_string_equal(typed[1], "xy");
	assert_int_equal(replays[1], 1);
	assert_true(console_focus_shows(&vms[1]) && !console_focus_shows(&vms[0]));
	type("\x01" "q" "z");                    /* an unknown escape: dropped, the rest goes on */
	assert_string_equal(typed[1], "xyz");
	type("\x01" "99\r" "w");                 /* no such VM: said, focus stays */
	assert_non_null(strstr(said, "no VM 99"));
	assert_string_equal(typed[1], "xyzw");
	type("\x01" "5\r");                       /* a VM without a console device */
	assert_non_null(strstr(said, "VM 5 has no console device"));
	type("\x01\r" "vm list");                /* Ctrl-A Enter: the shell */
	assert_string_equal(shell_typed, "vm list");
	assert_false(console_focus_shows(&vms[1]));
	type("\x01" "12\r");
	console_focus_forget(&vms[1]);           /* deleted: the shell takes the console back */
	type("k");
	assert_string_equal(typed[1], "xyzw");
	assert_string_equal(shell_typed, "vm listk");
	type("\x01" "1234567890123\r" "j");       /* an id too long: said, nothing typed */
	assert_string_equal(shell_typed, "vm listkj");
	assert_non_null(strstr(said, "no VM has an id that long"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(focus_moves_by_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
