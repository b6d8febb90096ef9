/* SPDX-License-Identifier: Apache-2.0 */
/* The hypervisor's shell (src/shell/): a command line on the hypervisor's console for managing
 * VMs at run time (`vm list|show|create|start|stop|restart|suspend|resume|delete`, `ls`, `cat`,
 * `log`, `stats`, `help`; docs/user-guide.md). It runs in the boot CPU's main task; typed
 * characters reach it through the console's focus (vmm/console_focus.h) when it has the focus. */
#ifndef SHELL_SHELL_H
#define SHELL_SHELL_H

#include "lib/types.h"

/* A character typed while the shell has the focus; '\f' asks for the prompt again. Interrupt
 * context. */
void shell_input(char c);
/* Reads and runs commands for ever. */
__noreturn void shell_run(void);

#endif
