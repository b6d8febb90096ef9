/* SPDX-License-Identifier: Apache-2.0 */
/* The share guest (tests/guests/common/share.c) on riscv64: the time CSR, the host's while
 * htimedelta is 0, at the timebase of QEMU virt (10 MHz). */
#include "guest.h"

static uint64_t share_counter(void)
{
	return csr_read(time);
}

static uint64_t share_frequency(void)
{
	return 10000000;
}

static uint64_t vm_id(void)
{
	return (uint64_t)hypercall(HYPERCALL_TESSERA_VM_ID);
}

#include "../common/share.c"

void guest_main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	share_run(dtb);
}
