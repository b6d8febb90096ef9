/* SPDX-License-Identifier: Apache-2.0 */
/* The top of the tree: what Tessera runs once its runtime (src/kernel/) has brought the machine up.
 * It sits above both the kernel and the VMM, so neither has to know the other's entry point. */
#include "kernel/app.h"
#include "vmm/vmm.h"

void app_main(void)
{
	vmm_run();
}
