/* SPDX-License-Identifier: Apache-2.0 */
/* Who has the hypervisor's console (console_focus.c): the shell, or one VM.
 * - Input: what is typed goes to the focus: the shell's line editor, or the VM's console device
 *   (vm_set_console_input). Ctrl-A starts an escape: Ctrl-A <id> Enter moves the focus to VM <id>
 *   (any id), Ctrl-A Enter (or Ctrl-A s) to the shell, Ctrl-A Ctrl-A sends one Ctrl-A; anything
 *   else ends the escape unused.
 * - Output: without a shell every VM's lines are shown, tagged, as they come (what scripts and
 *   the tests read). With the shell, only the focused VM's lines are; the others go to their
 *   history, and moving the focus to a VM first replays its last screenful
 *   (CONSOLE_FOCUS_REPLAY_LINES) and then shows it live.
 * Input arrives in interrupt context; the focus is guarded so a VM is never reached after
 * console_focus_forget. */
#ifndef VMM_CONSOLE_FOCUS_H
#define VMM_CONSOLE_FOCUS_H

#include "lib/types.h"

#define CONSOLE_FOCUS_REPLAY_LINES 24

struct vm;

/* shell_input: where the shell's characters go (interrupt context), NULL: no shell, every VM's
 * output is shown. */
void console_focus_init(void (*shell_input)(char c));
bool console_focus_has_shell(void);
/* Whether the VM's output goes to the console now. */
bool console_focus_shows(const struct vm *vm);
/* Moves the focus; -ENOENT: no such VM, -ENODEV: it has no console device, -ENOTSUP: no shell. */
__must_check int console_focus_vm(unsigned id);
__must_check int console_focus_shell(void);
/* A VM with a console device; the first of them takes the focus (later ones, made by the shell,
 * do not). */
void console_focus_add(struct vm *vm);
/* The VM is going away: it is never reached again, and the shell gets the focus it had. */
void console_focus_forget(struct vm *vm);
/* The console UART's input handler (kernel/console.h). */
void console_focus_input(char c);

#endif
