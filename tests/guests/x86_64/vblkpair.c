/* SPDX-License-Identifier: Apache-2.0 */
/* One of two VMs writing their own partitions of one host disk at the same time
 * (tests/e2e/test_virtio_blk.py): each writes its pattern over and over and reads it back
 * (run_vblk_pair in tests/guests/common/vblk.c); the host then checks each partition. */
#include "guest.h"

#define RAM_END 0 /* not used here */

#include "../common/vblk.c"
#include "virtio_pci.h"

void guest_main(uint64_t arg)
{
	(void)arg;
	struct vblk_dev device;
	unsigned id = (unsigned)vmmcall(HYPERCALL_TESSERA_VM_ID, 0, 0, 0);
	run_and_report_pair(find_virtio_blk(&device, 1) ? &device : 0, id);
	system_off();
}
