/* SPDX-License-Identifier: Apache-2.0 */
/* Who owns each host resource a VM can be given: MMIO pages (passthrough windows, device-tree
 * nodes) and physical interrupts. Each has at most one owner: the hypervisor
 * (HOST_OWNER_HYPERVISOR: its interrupt controller, its disk) or one VM (owner = its id). The one exception is the
 * hypervisor's console UART, which it registers as shareable: a VM may take it too (the caller
 * warns), and the hypervisor keeps writing its own lines there.
 *
 * A claim of a range that overlaps another owner's is refused, and the caller names both from
 * *holder. Identity-mapped RAM is not here: the frame allocator already gives each frame to one
 * owner (frame_claim). A fixed table under one lock: claims happen when VMs are created. */
#ifndef VMM_HOST_RESOURCES_H
#define VMM_HOST_RESOURCES_H

#include "lib/types.h"

enum host_resource_kind {
	HOST_MMIO, /* claimed by the page: MMIO is mapped by the page */
	HOST_IRQ,  /* the controller's interrupt number (INTID, PLIC source, IOAPIC pin) */
	HOST_DISK, /* sectors of a host disk: HOST_DISK_SECTOR(disk, sector); shareable = read-only,
		    * and read-only claims of several VMs may overlap (a writer has its range alone) */
};

#define HOST_DISK_SECTOR(disk, sector) ((uint64_t)(disk) << 48 | (sector))

struct host_claim {
	enum host_resource_kind kind;
	uint64_t first, last; /* inclusive: a range may end at the top of the address space */
	unsigned owner;       /* a VM id, or HOST_OWNER_HYPERVISOR */
	char owner_name[48];  /* "the hypervisor", "VM[2] linux" */
	char what[64];        /* "its interrupt controller", "host node 'uart@9000000'" */
	bool shareable;
};

#define HOST_CLAIMS_MAX 256
#define HOST_OWNER_HYPERVISOR 0xffffffffu

/* Claims [base, base + size). Returns 0, HOST_CLAIM_SHARED when it overlaps the hypervisor's
 * shareable claim (and nothing else), -EBUSY with *holder set when another owner has any part of
 * it, -ENOSPC when the table is full, -EINVAL for an empty or wrapping range. A claim of what the
 * same owner already holds succeeds. */
#define HOST_CLAIM_SHARED 1
__must_check int host_resource_claim(enum host_resource_kind kind, uint64_t base, uint64_t size,
				     unsigned owner, const char *owner_name, const char *what, bool shareable,
				     struct host_claim *holder);
/* Gives back everything an owner holds (a VM that is deleted, or whose creation failed). */
void host_resource_release(unsigned owner);

#endif
