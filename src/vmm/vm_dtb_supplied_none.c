/* SPDX-License-Identifier: Apache-2.0 */
/* A supplied device tree on a machine whose guests boot without one (x86_64: ACPI tables and the
 * Linux boot protocol's boot_params, virt_impl/guest_boot.h): loaded where the config says, as it
 * is. Built instead of vm_dtb_supplied.c where the build has no FDT platform (objects.mk). */
#include "vmm/vm_internal.h"

int vm_update_supplied_dtb(struct vm *vm, struct config_reporter *reporter)
{
	(void)vm;
	(void)reporter;
	return 0;
}
