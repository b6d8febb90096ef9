/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the MBR/GPT reader (src/fs/partitions.c): the input is the start of a disk
 * (reads past it fail, as a short disk's would); every partition number must come back found,
 * absent or malformed, with a found one inside the disk. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fs/partitions.h"
#include "lib/errno.h"

struct image {
	const uint8_t *data;
	size_t size;
};

static int read_image(void *ctx, uint64_t sector, uint32_t count, void *buffer)
{
	const struct image *image = ctx;
	if (sector > image->size / 512 || count > image->size / 512 - sector)
		return -EIO;
	memcpy(buffer, image->data + sector * 512, count * 512u);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image image = { data, size };
	uint64_t disk_sectors = size / 512 + (size ? data[0] : 0); /* sometimes claims more than there is */
	for (unsigned n = 0; n < 140; n++) {
		struct partition p;
		const char *why = NULL;
		if (partition_find(read_image, &image, disk_sectors, n, &p, &why) == 0 &&
		    (p.count == 0 || p.first >= disk_sectors || p.count > disk_sectors - p.first))
			abort();
	}
	return 0;
}
