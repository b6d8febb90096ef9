/* PSCI 1.1 for guests (Arm DEN0022D) and AxVisor-style hypercalls, both reached by HVC #0 or a
 * trapped SMC with the function id in x0. */
#ifndef ARCH_IMPL_GUEST_PSCI_H
#define ARCH_IMPL_GUEST_PSCI_H

#include "vmm/exit.h"

struct vcpu;

/* Decodes the call in the guest's x0-x6: PSCI functions become CPU_ON/CPU_OFF/HALT/SYSTEM_*
 * exits or are answered at once (EXIT_NONE, result already in x0); SMCCC calls Tessera does not
 * implement answer NOT_SUPPORTED; anything else is a hypercall. */
void guest_psci_or_hypercall(struct vcpu *vcpu, struct vm_exit *exit);
/* The PSCI return code for the core's CPU_ON result (0, -EBUSY, -EINVAL). */
int64_t guest_psci_result(int64_t core_result);

#endif
