/* SPDX-License-Identifier: Apache-2.0 */
/* virtio-blk checks (tests/guests/common/vblk.c) on the devices vblk.toml gives: a file on the
 * hypervisor's disk and a partition of a second disk, both writable, and a read-only partition. */
#include "guest.h"

#define RAM_END 0x41000000ull

#include "../common/vblk.c"

void guest_main(uint64_t dtb)
{
	(void)dtb;
	struct vblk_dev devices[] = { vblk_mmio(0x0a000000), vblk_mmio(0x0a000200), vblk_mmio(0x0a000400) };
	run_vblk_checks(devices, 3, 2);
	system_off();
}
