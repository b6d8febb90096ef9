/* SPDX-License-Identifier: Apache-2.0 */
/* A span of a VM's RAM that is present (cleared and mapped for the guest), as vm_guest_ram_window
 * (vmm/vm.h) finds it for device models that keep it. */
#ifndef VMM_RAM_WINDOW_H
#define VMM_RAM_WINDOW_H

#include "lib/types.h"

/* Guest-physical [gpa, gpa + size) at hypervisor address host; size 0: no window. */
struct vm_ram_window {
	gpa_t gpa;
	uint64_t size;
	uint8_t *host;
};

#endif
