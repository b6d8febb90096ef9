/* Exit handling: what the core does with each arch-neutral exit reason. */
#ifndef VMM_VCPU_EXIT_H
#define VMM_VCPU_EXIT_H

#include "vmm/exit.h"

struct vcpu;

/* > 0: resume the guest (after arch_vcpu_finish_exit); 0: this vCPU leaves the guest;
 * < 0: the guest gets the architected fault for the access. */
int vcpu_handle_exit(struct vcpu *vcpu, struct vm_exit *exit);

#endif
