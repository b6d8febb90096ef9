/* SPDX-License-Identifier: Apache-2.0 */
/* A VM's power button: how `vm stop` asks a guest to power itself off, as a user presses the
 * button of a real machine. The device that is the button registers itself while the VM's
 * devices are made: on x86_64 every VM's ACPI fixed power button (vdev/x86_power_button.c), on
 * the others a virtio-input device of the config's (vdev/virtio_input.c). The guest's OS hears
 * it only if it listens: an ACPI OS that enabled PWRBTN_EN, a virtio-input driver that is running.
 * What it then does (Linux reports KEY_POWER; a daemon such as acpid powers off) is its own. */
#ifndef VMM_POWER_BUTTON_H
#define VMM_POWER_BUTTON_H

#include "lib/types.h"

struct vm;

struct vm_power_button {
	const char *what;       /* for messages: "ACPI power button"; NULL: the VM has none */
	/* Presses and releases the button. 0, or -ENOTCONN when the guest does not listen for it
	 * (*why then says what it has not done, e.g. "it has not enabled PWRBTN_EN"). Task context. */
	__must_check int (*press)(void *device, const char **why);
	void *device;
};

/* Called by the device while the VM's devices are made; a second button replaces the first. */
void vm_set_power_button(struct vm *vm, int (*press)(void *device, const char **why), void *device,
			 const char *what);

/* Presses the VM's power button and waits up to wait_ns for the guest to power off. 0 when it
 * did; -ETIMEDOUT when it still runs; -ENODEV when the VM has no button; -ENOTCONN when the guest
 * does not listen (*why says why); -EBUSY when the VM is not running (a suspended guest cannot
 * answer); -EALREADY when it is stopped. Task context. */
__must_check int vm_shutdown(struct vm *vm, uint64_t wait_ns, const char **why);

#endif
