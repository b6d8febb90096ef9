/* SPDX-License-Identifier: Apache-2.0 */
/* virtio-blk checks (tests/guests/common/vblk.c) on the virtio-pci functions vblk.toml gives: a
 * file on the hypervisor's disk and a partition of a second disk, both writable, and a read-only
 * partition, found as a driver finds them (virtio_pci.h). */
#include "guest.h"

#define RAM_END 0x1000000ull

#include "../common/vblk.c"
#include "virtio_pci.h"

void guest_main(uint64_t arg)
{
	(void)arg;
	struct vblk_dev devices[3];
	unsigned count = find_virtio_blk(devices, 3);
	puts_uart("vblk guest: ");
	put_dec(count);
	puts_uart(" virtio-pci block functions found\n");
	run_vblk_checks(devices, count, 2);
	system_off();
}
