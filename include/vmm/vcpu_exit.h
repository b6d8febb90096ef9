/* SPDX-License-Identifier: Apache-2.0 */
/* Exit handling: what the core does with each arch-neutral exit reason. */
#ifndef VMM_VCPU_EXIT_H
#define VMM_VCPU_EXIT_H

#include "vmm/exit.h"
#include "lib/types.h"

struct vcpu;

/* EXIT_HANDLED: resume the guest (after arch_vcpu_finish_exit); EXIT_STOP_VCPU: this vCPU leaves
 * the guest; EXIT_GUEST_FAULT: the guest gets the architected fault. Never EXIT_UNCLAIMED: the
 * run loop is the last to see an exit. */
__must_check enum vm_exit_result vcpu_handle_exit(struct vcpu *vcpu, struct vm_exit *exit);

/* For an arch's exit path, called with interrupts masked before the guest's state leaves the CPU:
 * an MMIO access (as in struct vm_exit_mmio) to an address a device model claims is carried out
 * here and counted as the run loop counts its exits. Returns EXIT_HANDLED or EXIT_GUEST_FAULT as
 * vcpu_handle_exit would, or EXIT_UNCLAIMED when nobody claims the address: then nothing was
 * done, and the exit goes to the run loop, which logs it. */
__must_check enum vm_exit_result vcpu_mmio_in_place(struct vcpu *vcpu, gpa_t gpa, unsigned width, bool write,
						    uint64_t *value);

#endif
