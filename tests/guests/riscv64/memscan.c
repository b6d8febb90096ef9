/* SPDX-License-Identifier: Apache-2.0 */
/* The memory-hygiene guest (tests/guests/common/memscan.c) on riscv64: SBI SRST. */
#include "guest.h"

#define MEMSCAN_RAM_BASE 0x80000000ull
#define MEMSCAN_RAM_SIZE 0x4000000ull /* memscan.toml: 64 MiB */
#define MEMSCAN_IMAGE_BASE 0x80200000ull

static uint64_t dtb_start, dtb_end;

#include "../common/memscan.c"

extern char __bss_end[];

static uint64_t arch_boot_count(void)
{
	return (uint64_t)hypercall(HYPERCALL_TESSERA_BOOT_COUNT);
}

static void arch_reset(void)
{
	sbi_call(SBI_EXT_SRST, 0, 1, 0, 0); /* cold reboot (SBI 2.0, 10.1) */
}

static uint64_t arch_own_range_end(uint64_t a)
{
	if (a >= MEMSCAN_IMAGE_BASE && a < (uint64_t)__bss_end)
		return (uint64_t)__bss_end;
	if (a >= dtb_start && a < dtb_end)
		return dtb_end;
	return 0;
}

void guest_main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	dtb_start = dtb;
	dtb_end = dtb + __builtin_bswap32(((volatile uint32_t *)dtb)[1]);
	memscan_run();
	system_off();
}
