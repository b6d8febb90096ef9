/* SPDX-License-Identifier: Apache-2.0 */
/* PSCI 1.1 for guests (Arm DEN0022D) and AxVisor-style hypercalls, both reached by HVC #0 or a
 * trapped SMC with the function id in x0. */
#ifndef ARCH_IMPL_GUEST_PSCI_H
#define ARCH_IMPL_GUEST_PSCI_H

#include "vmm/exit.h"

struct vcpu;

struct guest_regs;
/* On the exit path (interrupts masked, only x0-x18 of the guest saved): if the exit is an HVC or
 * SMC call that needs nothing but the guest's registers (PSCI VERSION, FEATURES, AFFINITY_INFO,
 * MIGRATE_INFO_TYPE, NOT_SUPPORTED for SMCCC functions Tessera does not implement, and the
 * hypercalls hypercall_answer_in_place takes), answers
 * it in x0, steps past it and returns the registers to resume with; otherwise NULL. */
struct guest_regs *guest_call_in_place(struct vcpu *vcpu);
/* Decodes the call in the guest's x0-x6: answered at once as above (EXIT_NONE), or a
 * CPU_ON/CPU_OFF/HALT/SYSTEM_* exit, or a hypercall. */
void guest_psci_or_hypercall(struct vcpu *vcpu, struct vm_exit *exit);
/* The PSCI return code for the core's CPU_ON result (0, -EBUSY, -EINVAL). */
int64_t guest_psci_result(int64_t core_result);

#endif
