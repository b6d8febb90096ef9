/* SPDX-License-Identifier: Apache-2.0 */
/* The memory-hygiene guest (tests/guests/common/memscan.c) on x86_64: the reset control port. */
#include "guest.h"

#define MEMSCAN_RAM_BASE 0x0ull
#define MEMSCAN_RAM_SIZE 0x4000000ull /* memscan.toml: 64 MiB */
#define MEMSCAN_IMAGE_BASE 0x10000ull

#include "../common/memscan.c"

static uint64_t arch_boot_count(void)
{
	return vmmcall(HYPERCALL_TESSERA_BOOT_COUNT, 0, 0, 0);
}

static void arch_reset(void)
{
	system_reset();
}

void guest_main(uint64_t arg)
{
	(void)arg;
	memscan_run();
	system_off();
}
