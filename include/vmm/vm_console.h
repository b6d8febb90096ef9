/* SPDX-License-Identifier: Apache-2.0 */
/* A VM's console output (vm_console.c): what its console devices (an emulated UART, a virtio
 * console) print, a line at a time, tagged "[vm<id>] ".
 * - Every line goes into the VM's history, a ring of VM_CONSOLE_HISTORY bytes, which the shell
 *   and a focus switch replay (console_focus.h).
 * - A line is shown on the hypervisor's console when the focus shows the VM (console_focus.h).
 *   With the shell, it is shown only within the VM's output budget: VM_CONSOLE_BURST bytes at once
 *   and VM_CONSOLE_RATE bytes a second after that (a 115200-baud line carries 11520). What the
 *   budget refuses is counted, and the count shown at most once a second, so that a guest printing
 *   without end cannot starve the shell, the log or other VMs of the console (a slow UART is
 *   written under its lock). Without the shell (scripts, tests) nothing is held back.
 * - A partial line is held until its newline, or shown after CONSOLE_PARTIAL_LINE_NS (a prompt);
 *   another writer's line never continues it (kernel/console.h's line ownership). */
#ifndef VMM_VM_CONSOLE_H
#define VMM_VM_CONSOLE_H

#include "lib/types.h"
#include "kernel/timer_queue.h"

#define VM_CONSOLE_LINE 160
#define VM_CONSOLE_HISTORY (16 * 1024)
#define VM_CONSOLE_BURST (64 * 1024)
#define VM_CONSOLE_RATE (8 * 1024)

struct vm;

struct vm_output {
	char line[VM_CONSOLE_LINE];     /* the guest's output since its last newline */
	unsigned length;
	bool continued;                 /* part of this line was already shown (no tag again) */
	struct timer_event flush_timer; /* shows a partial line nobody completes (a prompt) */
	char *history;                  /* VM_CONSOLE_HISTORY bytes, a ring */
	uint64_t history_written;       /* bytes ever written to it (the ring's head, unwrapped) */
	uint64_t budget;                /* bytes it may show now */
	uint64_t budget_ticks;          /* when budget was last topped up */
	uint64_t dropped;               /* bytes refused by the budget, ever */
	uint64_t dropped_reported;      /* of them, those a shown count has told of */
	uint64_t dropped_report_ticks;  /* when a count was last shown */
	uint64_t shown;                 /* bytes shown on the console, ever */
};

/* The guest's console output, a character at a time. */
void vm_console_putc(struct vm *vm, char c);
/* Shows a partial line now: the guest waits (for input, an interrupt) or stops. */
void vm_console_flush_line(struct vm *vm);
/* Writes the last `lines` lines of the VM's history to the console, tagged (a focus switch, the
 * shell's `vm log`). Task or interrupt context. */
void vm_console_replay(struct vm *vm, unsigned lines);

#endif
