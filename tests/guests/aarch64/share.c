/* SPDX-License-Identifier: Apache-2.0 */
/* The share guest (tests/guests/common/share.c) on aarch64: the EL1 virtual counter, which is the
 * host's while CNTVOFF_EL2 is 0. */
#include "guest.h"

static uint64_t share_counter(void)
{
	uint64_t v;
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v) :: "memory");
	return v;
}

static uint64_t share_frequency(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

static uint64_t vm_id(void)
{
	return hvc(HYPERCALL_TESSERA_VM_ID, 0, 0, 0);
}

#include "../common/share.c"

void guest_main(uint64_t dtb)
{
	share_run(dtb);
}
