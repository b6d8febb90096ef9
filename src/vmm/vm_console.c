/* SPDX-License-Identifier: Apache-2.0 */
/* A VM's console output (see vmm/vm_console.h): line assembly, the history ring, the output
 * budget, and what the focus lets through to the hypervisor's console. */
#include "vmm/vm.h"
#include "vmm/vm_internal.h"
#include "vmm/console_focus.h"
#include "kernel/console.h"
#include "kernel/mm.h"
#include "kernel/timer.h"
#include "arch/timer.h"
#include "lib/errno.h"
#include "lib/format.h"

/* A line still open this long after it began is shown as it is: the guest may be waiting for
 * input in a WFI/HLT of its own, which the hypervisor does not see while the vCPU has its CPU to
 * itself, so the halt exit's flush cannot be relied on. Long enough that a line written across
 * other VMs' time slices on its CPU (10 ms each) is not cut in two (at 20 ms an IVC test line was,
 * with three VMs on two CPUs), short enough for a prompt to show at once to a person. */
#define CONSOLE_PARTIAL_LINE_NS 200000000ULL
/* The count of refused bytes is shown at most this often. */
#define DROPPED_REPORT_NS 1000000000ULL

int vm_console_init(struct vm *vm)
{
	struct vm_output *c = &vm->console;
	c->history = kmalloc(VM_CONSOLE_HISTORY);
	c->budget = VM_CONSOLE_BURST;
	c->budget_ticks = arch_timer_now();
	return c->history ? 0 : -ENOMEM;
}

void vm_console_release(struct vm *vm)
{
	timer_cancel(&vm->console.flush_timer);
	kfree(vm->console.history);
	vm->console.history = NULL;
}

static void history_append(struct vm_output *c, const char *s, unsigned length)
{
	if (!c->history)
		return;
	for (unsigned i = 0; i < length; i++)
		c->history[(c->history_written + i) % VM_CONSOLE_HISTORY] = s[i];
	c->history_written += length;
}

/* Tops the budget up for the time since it last was, and takes `length` from it if it holds
 * that much. */
static bool budget_take(struct vm_output *c, unsigned length)
{
	if (!console_focus_has_shell())
		return true;
	uint64_t now = arch_timer_now();
	uint64_t ns = timer_ticks_to_ns(now - c->budget_ticks);
	uint64_t earned = ns / 1000 * VM_CONSOLE_RATE / 1000000;
	if (earned) {
		c->budget = c->budget + earned > VM_CONSOLE_BURST ? VM_CONSOLE_BURST : c->budget + earned;
		c->budget_ticks = now;
	}
	if (c->budget < length) {
		c->dropped += length;
		return false;
	}
	c->budget -= length;
	return true;
}

/* One line (own, kept short) telling how much output the budget refused since the last one. */
static void report_dropped(struct vm *vm, struct vm_output *c)
{
	uint64_t unreported = c->dropped - c->dropped_reported;
	uint64_t now = arch_timer_now();
	if (!unreported || timer_ticks_to_ns(now - c->dropped_report_ticks) < DROPPED_REPORT_NS)
		return;
	char text[96];
	int n = format_snprintf(text, sizeof(text), "[vm%u: %llu bytes of output dropped (over its budget)]\n", vm->id,
				(unsigned long long)unreported);
	console_claim_line_unlocked(c);
	console_write_unlocked(text, (size_t)n);
	c->dropped_reported = c->dropped;
	c->dropped_report_ticks = now;
}

/* Writes the buffered part of the line: to the history always, to the console when the focus
 * shows the VM and its budget allows. Called with the VM's lock held. */
static void console_emit(struct vm *vm, bool newline)
{
	struct vm_output *c = &vm->console;
	history_append(c, c->line, c->length);
	if (newline)
		history_append(c, "\n", 1);
	if (console_focus_shows(vm)) {
		char prefix[16];
		int n = format_snprintf(prefix, sizeof(prefix), "[vm%u] ", vm->id);
		unsigned long flags = console_lock();
		report_dropped(vm, c);
		/* A continued line is continued only if nobody wrote since; otherwise it starts anew,
		 * tagged again. */
		bool tag = !console_claim_line_unlocked(vm) || !c->continued;
		unsigned cost = c->length + (newline ? 1 : 0) + (tag ? (unsigned)n : 0);
		if (budget_take(c, cost)) {
			if (tag)
				console_write_unlocked(prefix, (size_t)n);
			console_write_unlocked(c->line, c->length);
			if (newline)
				console_write_unlocked("\n", 1);
			c->shown += cost;
		} else if (!newline) {
			console_claim_line_unlocked(NULL); /* nothing of it was written: the line is not ours */
		}
		console_unlock(flags);
	}
	c->length = 0;
	c->continued = !newline;
}

static void console_flush_expired(struct timer_event *event, void *arg)
{
	(void)event;
	vm_console_flush(arg);
}

void vm_console_putc(struct vm *vm, char c)
{
	if (c == '\r')
		return;
	struct vm_output *con = &vm->console;
	unsigned long flags = spin_lock_irqsave(&vm->lock);
	if (c == '\n') {
		console_emit(vm, true);
	} else {
		if (con->length == 0)
			timer_arm(&con->flush_timer, arch_timer_now() + timer_ns_to_ticks(CONSOLE_PARTIAL_LINE_NS),
				  console_flush_expired, vm);
		con->line[con->length++] = c;
		if (con->length == sizeof(con->line))
			console_emit(vm, false);
	}
	spin_unlock_irqrestore(&vm->lock, flags);
}

void vm_console_flush_line(struct vm *vm)
{
	unsigned long flags = spin_lock_irqsave(&vm->lock);
	if (vm->console.length)
		console_emit(vm, false);
	spin_unlock_irqrestore(&vm->lock, flags);
}

void vm_console_replay(struct vm *vm, unsigned lines)
{
	struct vm_output *c = &vm->console;
	unsigned long flags = spin_lock_irqsave(&vm->lock);
	uint64_t end = c->history_written;
	uint64_t oldest = end > VM_CONSOLE_HISTORY ? end - VM_CONSOLE_HISTORY : 0;
	/* Back from the end over `lines` newlines (the last byte's own newline does not count). */
	uint64_t start = end;
	unsigned seen = 0;
	while (start > oldest) {
		char ch = c->history[(start - 1) % VM_CONSOLE_HISTORY];
		if (ch == '\n' && start != end && ++seen == lines)
			break;
		start--;
	}
	/* Back to the ring's oldest byte, which the wrap may have put inside a line: from the first
	 * whole one. */
	if (start == oldest && oldest > 0)
		while (start < end && c->history[start++ % VM_CONSOLE_HISTORY] != '\n')
			;
	char prefix[16];
	int n = format_snprintf(prefix, sizeof(prefix), "[vm%u] ", vm->id);
	unsigned long console_flags = console_lock();
	console_claim_line_unlocked(c);
	bool line_start = true;
	for (uint64_t i = start; i < end && c->history; i++) {
		char ch = c->history[i % VM_CONSOLE_HISTORY];
		if (line_start)
			console_write_unlocked(prefix, (size_t)n);
		console_write_unlocked(&ch, 1);
		line_start = ch == '\n';
	}
	if (!line_start)
		console_write_unlocked("\n", 1);
	console_unlock(console_flags);
	spin_unlock_irqrestore(&vm->lock, flags);
}
