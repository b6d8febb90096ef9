/* SPDX-License-Identifier: Apache-2.0 */
/* A VM's console output (src/vmm/vm_console.c) on the hypervisor's console (src/kernel/console.c,
 * over a UART that writes into a buffer): lines tagged and whole, a line cut by another writer
 * tagged again, the history replayed (also once it has wrapped), nothing held back without the
 * shell, and with it the output budget: a burst, then the rate, and the count of what was dropped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arch/timer.h"
#include "kernel/console.h"
#include "kernel/driver.h"
#include "kernel/irq.h"
#include "kernel/mm.h"
#include "kernel/timer.h"
#include "vmm/console_focus.h"
#include "vmm/vm.h"
#include "vmm/vm_internal.h"

/* --- the machine around it --- */
static char screen[512 * 1024];
static size_t screen_length;
static uint64_t now_ns;
static bool with_shell;
static const struct vm *focused;

static void uart_putc(const struct uart_desc *d, char c)
{
	(void)d;
	if (c != '\r' && screen_length < sizeof(screen) - 1)
		screen[screen_length++] = c;
	screen[screen_length] = 0;
}
static const struct uart_ops uart = { .putc = uart_putc };
static const struct driver uart_driver = { .ops = &uart };
const struct driver *driver_find(enum driver_class class, const char *compatible) { return &uart_driver; }
int irq_register(unsigned irq, irq_handler_fn handler, void *arg) { return 0; }
void irq_enable(unsigned irq) {}
unsigned long spin_lock_irqsave(struct spinlock *lock) { return 0; }
void spin_unlock_irqrestore(struct spinlock *lock, unsigned long flags) {}
uint64_t arch_timer_now(void) { return now_ns; }
uint64_t timer_ns_to_ticks(uint64_t ns) { return ns; }
uint64_t timer_ticks_to_ns(uint64_t ticks) { return ticks; }
void timer_arm(struct timer_event *event, uint64_t deadline, timer_fn fn, void *arg) {}
void timer_cancel(struct timer_event *event) {}
void *kmalloc(size_t size) { return malloc(size); }
void kfree(void *p) { free(p); }
bool console_focus_has_shell(void) { return with_shell; }
bool console_focus_shows(const struct vm *vm) { return !with_shell || focused == vm; }

static struct vm vm;

static int setup(void **state)
{
	static const struct uart_desc desc = { .kind = UART_PL011 };
	assert_int_equal(console_init(&desc), 0);
	memset(&vm, 0, sizeof(vm));
	vm.id = 7;
	now_ns = 1000000000ull;
	with_shell = false;
	focused = NULL;
	assert_int_equal(vm_console_init(&vm), 0);
	screen_length = 0;
	screen[0] = 0;
	return 0;
}

static int teardown(void **state)
{
	vm_console_release(&vm);
	return 0;
}

static void print(const char *s)
{
	while (*s)
		vm_console_putc(&vm, *s++);
}

static void lines_are_tagged_and_a_cut_line_is_tagged_again(void **state)
{
	print("one\nab");
	vm_console_flush_line(&vm);       /* a prompt shown before its newline */
	console_printf("[log] something\n"); /* another writer: the open line ends first */
	print("cd\n");
	print("x");
	vm_console_flush_line(&vm);
	print("y\n");                     /* nobody wrote between: the line goes on untagged */
	assert_string_equal(screen, "[vm7] one\n[vm7] ab\n[log] something\n[vm7] cd\n[vm7] xy\n");
}

static void replay_shows_the_last_lines(void **state)
{
	with_shell = true; /* not in focus: nothing shown, all kept */
	char line[32];
	for (int i = 0; i < 30; i++) {
		snprintf(line, sizeof(line), "line %d\n", i);
		print(line);
	}
	assert_int_equal(screen_length, 0);
	vm_console_replay(&vm, 3);
	assert_string_equal(screen, "[vm7] line 27\n[vm7] line 28\n[vm7] line 29\n");
}

static void replay_after_the_history_wrapped(void **state)
{
	with_shell = true;
	char line[32];
	for (int i = 0; i < 5000; i++) { /* about 50 KiB through a 16 KiB ring */
		snprintf(line, sizeof(line), "line %d\n", i);
		print(line);
	}
	vm_console_replay(&vm, 2);
	assert_string_equal(screen, "[vm7] line 4998\n[vm7] line 4999\n");
	screen_length = 0;
	vm_console_replay(&vm, 100000); /* more lines than it holds: from the oldest whole one it has */
	assert_true(screen_length < 2 * VM_CONSOLE_HISTORY); /* each line of it, tagged */
	assert_non_null(strstr(screen, "[vm7] line 4999\n"));
	assert_int_equal(strncmp(screen, "[vm7] line ", 11), 0); /* a whole line first, not a piece */
	assert_null(strstr(screen, "[vm7] line 10\n"));
}

static void without_the_shell_nothing_is_held_back(void **state)
{
	for (int i = 0; i < 4000; i++) /* 200 KiB at once */
		print("0123456789012345678901234567890123456789012345678\n");
	assert_int_equal(vm.console.dropped, 0);
	assert_int_equal(screen_length, 4000 * (6 + 50));
}

static void the_budget_cuts_a_flood_and_says_so(void **state)
{
	with_shell = true;
	focused = &vm;
	for (int i = 0; i < 2000; i++) /* 112 KiB at once, tags included */
		print("0123456789012345678901234567890123456789012345678\n");
	assert_true(vm.console.shown <= VM_CONSOLE_BURST);
	assert_true(vm.console.shown > VM_CONSOLE_BURST - 100);
	assert_int_equal(vm.console.shown + vm.console.dropped, 2000 * 56);
	/* The first refusal is told at once (the next line's turn), then no more within the second. */
	static const char told_first[] = "[vm7: 56 bytes of output dropped (over its budget)]\n";
	const char *first = strstr(screen, told_first);
	assert_non_null(first);
	assert_null(strstr(first + sizeof(told_first) - 1, "dropped"));
	uint64_t untold = vm.console.dropped - 56;
	now_ns += 1000000000ull; /* a second: the rate's worth again, and the rest of the count is told */
	print("after\n");
	char told[96];
	snprintf(told, sizeof(told), "[vm7: %llu bytes of output dropped (over its budget)]\n[vm7] after\n",
		 (unsigned long long)untold);
	assert_non_null(strstr(screen, told));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(lines_are_tagged_and_a_cut_line_is_tagged_again, setup, teardown),
		cmocka_unit_test_setup_teardown(replay_shows_the_last_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(replay_after_the_history_wrapped, setup, teardown),
		cmocka_unit_test_setup_teardown(without_the_shell_nothing_is_held_back, setup, teardown),
		cmocka_unit_test_setup_teardown(the_budget_cuts_a_flood_and_says_so, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
