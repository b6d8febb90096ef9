/* SPDX-License-Identifier: Apache-2.0 */
/* Ownership of host MMIO pages and interrupts (see vmm/host_resources.h). */
#include "vmm/host_resources.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"

static struct spinlock lock;
static struct host_claim claims[HOST_CLAIMS_MAX];
static unsigned claim_count;

int host_resource_claim(enum host_resource_kind kind, uint64_t base, uint64_t size, unsigned owner,
			const char *owner_name, const char *what, bool shareable, struct host_claim *holder)
{
	if (size == 0 || base + size - 1 < base)
		return -EINVAL;
	uint64_t first = base, last = base + size - 1;
	if (kind == HOST_MMIO) {
		first = ALIGN_DOWN(first, PAGE_SIZE);
		last = ALIGN_DOWN(last, PAGE_SIZE) + (PAGE_SIZE - 1);
	}
	unsigned long flags = spin_lock_irqsave(&lock);
	int result = 0;
	for (unsigned i = 0; i < claim_count; i++) {
		const struct host_claim *c = &claims[i];
		if (c->kind != kind || c->owner == owner || c->last < first || last < c->first)
			continue;
		if (kind == HOST_DISK && c->shareable && shareable)
			continue; /* readers share */
		if (c->shareable && c->owner == HOST_OWNER_HYPERVISOR) {
			if (holder)
				*holder = *c;
			result = HOST_CLAIM_SHARED;
			continue;
		}
		if (holder)
			*holder = *c;
		spin_unlock_irqrestore(&lock, flags);
		return -EBUSY;
	}
	if (claim_count >= HOST_CLAIMS_MAX) {
		spin_unlock_irqrestore(&lock, flags);
		return -ENOSPC;
	}
	struct host_claim *c = &claims[claim_count++];
	*c = (struct host_claim){ .kind = kind, .first = first, .last = last, .owner = owner, .shareable = shareable };
	format_snprintf(c->owner_name, sizeof(c->owner_name), "%s", owner_name);
	format_snprintf(c->what, sizeof(c->what), "%s", what);
	spin_unlock_irqrestore(&lock, flags);
	return result;
}

void host_resource_release(unsigned owner)
{
	unsigned long flags = spin_lock_irqsave(&lock);
	unsigned kept = 0;
	for (unsigned i = 0; i < claim_count; i++)
		if (claims[i].owner != owner)
			claims[kept++] = claims[i];
	claim_count = kept;
	spin_unlock_irqrestore(&lock, flags);
}
