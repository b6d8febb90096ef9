/* SPDX-License-Identifier: Apache-2.0 */
/* virtio-blk checks (tests/guests/common/vblk.c) on the devices vblk.toml gives: a file on the
 * hypervisor's disk and a partition of a second disk, both writable, and a read-only partition. */
#include "guest.h"

#define RAM_END 0x81000000ull

#include "../common/vblk.c"

void guest_main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	(void)dtb;
	struct vblk_dev devices[] = { vblk_mmio(0x10001000), vblk_mmio(0x10002000), vblk_mmio(0x10003000) };
	run_vblk_checks(devices, 3, 2);
	system_off();
}
