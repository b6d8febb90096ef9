/* SPDX-License-Identifier: Apache-2.0 */
/* The arch-neutral VMM: reads VM configs, creates VMs and runs them; with the shell, it stays up
 * to manage them. */
#ifndef VMM_VMM_H
#define VMM_VMM_H

#include "lib/types.h"

struct vm;

#define VMM_PATH_MAX 128 /* a config's path on the disk, at most */

/* Runs every configured VM. Without a shell (NULL), returns when none is left running (the caller
 * powers off); with one, returns once they are started, with typed characters going to
 * shell_input while the shell has the console's focus (vmm/console_focus.h). Called from the boot
 * CPU's main task after all CPUs are up. */
void vmm_run(void (*shell_input)(char c));
/* Makes a VM (not started) from a config's text read at run time, checked against the VMs that
 * exist; `path` names it in messages. 0 and *out, or a negative error after log lines that name
 * the file, line and key. Task context. */
__must_check int vmm_create_from_text(const char *path, const char *text, size_t length, struct vm **out);

#endif
