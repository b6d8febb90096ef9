/* SPDX-License-Identifier: Apache-2.0 */
/* One of two VMs writing their own partitions of one host disk at the same time
 * (tests/e2e/test_virtio_blk.py): each writes its pattern over and over and reads it back
 * (run_vblk_pair in tests/guests/common/vblk.c); the host then checks each partition. */
#include "guest.h"

#define RAM_END 0 /* not used here */

#include "../common/vblk.c"

void guest_main(uint64_t dtb)
{
	(void)dtb;
	unsigned id = (unsigned)hvc(HYPERCALL_TESSERA_VM_ID, 0, 0, 0);
	struct vblk_dev device = vblk_mmio(0x0a000000);
	run_and_report_pair(&device, id);
	system_off();
}
