/* SPDX-License-Identifier: Apache-2.0 */
/* The reset soak (tests/guests/common/soak.c) on aarch64: PSCI SYSTEM_RESET. Its config: soak.toml. */
#include "guest.h"

#include "../common/soak.c"

static uint64_t arch_boot_count(void)
{
	return hvc(HYPERCALL_TESSERA_BOOT_COUNT, 0, 0, 0);
}

static void arch_reset(void)
{
	hvc(PSCI_SYSTEM_RESET, 0, 0, 0);
}

static void arch_wait_seconds(uint64_t seconds)
{
	uint64_t frequency, start, now;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(frequency));
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(start));
	do
		__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(now));
	while (now - start < seconds * frequency);
}
