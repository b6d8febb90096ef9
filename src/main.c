/* SPDX-License-Identifier: Apache-2.0 */
/* The top of the tree: what Tessera runs once its runtime (src/kernel/) has brought the machine up.
 * It sits above both the kernel and the VMM, so neither has to know the other's entry point. */
#include "kernel/app.h"
#include "vmm/vmm.h"
#include "shell/shell.h"

/* The shell is there unless the command line says "tessera.shell=off" (scripts and tests that
 * want the machine to power off when the last VM stops). */
void app_main(void)
{
	if (boot_option("tessera.shell=off")) {
		vmm_run(NULL);
		return;
	}
	vmm_run(shell_input);
	shell_run();
}
