/* SPDX-License-Identifier: Apache-2.0 */
/* The arch-neutral VMM: reads VM configs, creates VMs and runs them until all have stopped. */
#ifndef VMM_VMM_H
#define VMM_VMM_H

/* Runs every configured VM and returns when none is left running. Called from the boot CPU's main
 * task after all CPUs are up. */
void vmm_run(void);

#endif
