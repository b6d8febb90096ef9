/* SPDX-License-Identifier: Apache-2.0 */
/* virtio-blk checks (tests/guests/common/vblk.c) on the devices vblk.toml gives: a file on the
 * hypervisor's disk and a partition of a second disk, both writable, and a read-only partition. */
#include "guest.h"

static const uintptr_t vblk_devices[] = { 0x10001000, 0x10002000, 0x10003000 };
#define VBLK_WRITABLE 2
#define RAM_END 0x81000000ull

#include "../common/vblk.c"

void guest_main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	(void)dtb;
	run_vblk_checks();
	system_off();
}
