/* SPDX-License-Identifier: Apache-2.0 */
/* The memory-hygiene guest (tests/guests/common/memscan.c) on aarch64: PSCI SYSTEM_RESET. */
#include "guest.h"

#define MEMSCAN_RAM_BASE 0x40000000ull
#define MEMSCAN_RAM_SIZE 0x4000000ull /* memscan.toml: 64 MiB */
#define MEMSCAN_IMAGE_BASE 0x40080000ull

#include "../common/memscan.c"

static uint64_t arch_boot_count(void)
{
	return hvc(HYPERCALL_TESSERA_BOOT_COUNT, 0, 0, 0);
}

static void arch_reset(void)
{
	hvc(PSCI_SYSTEM_RESET, 0, 0, 0);
}

void guest_main(uint64_t dtb)
{
	/* The device tree's size is in its header (big-endian totalsize at +4). */
	dtb_start = dtb;
	dtb_end = dtb + __builtin_bswap32(((volatile uint32_t *)dtb)[1]);
	memscan_run();
	system_off();
}
