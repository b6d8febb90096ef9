/* SPDX-License-Identifier: Apache-2.0 */
/* Which parts of a host disk may be written (see drivers/block.h). */
#include "drivers/block.h"
#include "lib/errno.h"

int block_allow_writes(struct block_device *dev, uint64_t first, uint64_t count)
{
	if (dev->read_only)
		return -EROFS;
	if (count == 0 || first > dev->sector_count || count > dev->sector_count - first)
		return -EINVAL;
	unsigned long flags = spin_lock_irqsave(&dev->lock);
	int err = dev->writable_count < BLOCK_WRITABLE_MAX ? 0 : -ENOSPC;
	if (!err)
		dev->writable[dev->writable_count++] = (struct block_range){ first, count };
	spin_unlock_irqrestore(&dev->lock, flags);
	return err;
}

void block_forbid_writes(struct block_device *dev, uint64_t first, uint64_t count)
{
	unsigned long flags = spin_lock_irqsave(&dev->lock);
	for (unsigned i = 0; i < dev->writable_count; i++) {
		if (dev->writable[i].first == first && dev->writable[i].count == count) {
			dev->writable[i] = dev->writable[--dev->writable_count];
			break;
		}
	}
	spin_unlock_irqrestore(&dev->lock, flags);
}

/* Called under dev->lock (the driver's request path), or racing only with ranges of owners that
 * are gone. */
bool block_write_allowed(const struct block_device *dev, uint64_t first, uint64_t count)
{
	for (unsigned i = 0; i < dev->writable_count; i++) {
		const struct block_range *r = &dev->writable[i];
		if (first >= r->first && count <= r->count && first - r->first <= r->count - count)
			return true;
	}
	return false;
}
