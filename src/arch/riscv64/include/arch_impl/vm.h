/* Guest state for this arch: none yet. Guests on this arch arrive with its virtualization support
 * (the vm_unsupported.c placeholder refuses to create VMs until then). */
#ifndef ARCH_IMPL_VM_H
#define ARCH_IMPL_VM_H

#include "lib/types.h"

struct vcpu_arch {
	uint64_t unused;
};

struct vm_arch {
	uint64_t unused;
};

#endif
