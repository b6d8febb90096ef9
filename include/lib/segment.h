/* SPDX-License-Identifier: Apache-2.0 */
/* One piece of a scattered transfer, shared by the host's block drivers (drivers/block.h) and the
 * guests' block devices (vdev/virtio_blk.h): hypervisor memory (guest RAM included), whole sectors. */
#ifndef LIB_SEGMENT_H
#define LIB_SEGMENT_H

#include "lib/types.h"

struct block_segment {
	void *data;
	uint32_t length;
};

#endif
