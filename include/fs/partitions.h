/* SPDX-License-Identifier: Apache-2.0 */
/* Partition tables of a disk: MBR primary partitions (1-4) and GPT (UEFI 2.10, 5.3: entries 1 and
 * up, found through a protective MBR). The disk is read through a callback and is untrusted input:
 * every field is bounded by the disk's size before it is used. Pure code, host-tested and fuzzed. */
#ifndef FS_PARTITIONS_H
#define FS_PARTITIONS_H

#include "lib/types.h"

typedef int (*partition_read_fn)(void *ctx, uint64_t sector, uint32_t count, void *buffer);

struct partition {
	uint64_t first;   /* sector */
	uint64_t count;   /* sectors */
	bool gpt;         /* found in a GPT (else the MBR) */
};

/* Partition `number` (1-based) of a disk of `disk_sectors` 512-byte sectors. 0 with *out filled;
 * -ENOENT when the table has no such partition; -EINVAL when the disk has no valid table or the
 * entry is malformed (*why says what); the read's own error when a read fails. */
__must_check int partition_find(partition_read_fn read, void *ctx, uint64_t disk_sectors, unsigned number,
				struct partition *out, const char **why);

#endif
