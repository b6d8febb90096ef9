/* SPDX-License-Identifier: Apache-2.0 */
/* The memory-hygiene guest (tests/guests/common/memscan.c) on riscv64: SBI SRST. */
#include "guest.h"

#define MEMSCAN_RAM_BASE 0x80000000ull
#define MEMSCAN_RAM_SIZE 0x4000000ull /* memscan.toml: 64 MiB */
#define MEMSCAN_IMAGE_BASE 0x80200000ull

#include "../common/memscan.c"

static uint64_t arch_boot_count(void)
{
	return (uint64_t)hypercall(HYPERCALL_TESSERA_BOOT_COUNT);
}

static void arch_reset(void)
{
	sbi_call(SBI_EXT_SRST, 0, 1, 0, 0); /* cold reboot (SBI 2.0, 10.1) */
}

void guest_main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	dtb_start = dtb;
	dtb_end = dtb + __builtin_bswap32(((volatile uint32_t *)dtb)[1]);
	memscan_run();
	system_off();
}
