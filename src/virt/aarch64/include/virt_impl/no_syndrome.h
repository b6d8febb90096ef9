/* SPDX-License-Identifier: Apache-2.0 */
/* Data aborts without syndrome (vcpu_no_syndrome.c). */
#ifndef VIRT_IMPL_NO_SYNDROME_H
#define VIRT_IMPL_NO_SYNDROME_H

#include "vmm/exit.h"

struct vcpu;

/* The abort in vcpu->arch (esr, far) at mmio->gpa, decoded from the guest's instruction into
 * *mmio, with vcpu->arch.esr rewritten to the syndrome the access would have had and the base's
 * writeback noted for finish_writeback. Returns NULL, or why the guest gets the abort instead. */
const char *decode_abort_without_syndrome(struct vcpu *vcpu, struct vm_exit_mmio *mmio);

/* The noted writeback, once the access has completed (not when it faults). */
void finish_writeback(struct vcpu *vcpu);

#endif
