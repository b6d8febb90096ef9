/* SPDX-License-Identifier: Apache-2.0 */
/* Starts every other vCPU with PSCI CPU_ON; each reports its MPIDR and turns itself off. */
#include "guest.h"

#define MAX_VCPUS 8
static volatile int started[MAX_VCPUS];

void secondary_main(uint64_t index)
{
	started[index] = 1;
	__asm__ volatile("dsb sy" ::: "memory");
	hvc(PSCI_CPU_OFF, 0, 0, 0);
}

void guest_main(uint64_t dtb)
{
	(void)dtb;
	int count = 0;
	for (uint64_t i = 1; i < MAX_VCPUS; i++) {
		int64_t r = (int64_t)hvc(PSCI_CPU_ON, i, (uint64_t)secondary_start, i);
		if (r != 0)
			break;
		count++;
		while (!started[i])
			__asm__ volatile("yield" ::: "memory");
		puts_uart("smp guest: vCPU ");
		put_dec(i);
		puts_uart(" is up\n");
	}
	/* A vCPU that does not exist, and one already on. */
	int64_t missing = (int64_t)hvc(PSCI_CPU_ON, 0x55, (uint64_t)secondary_start, 0);
	int64_t again = (int64_t)hvc(PSCI_CPU_ON, 0, (uint64_t)secondary_start, 0);
	puts_uart("smp guest: CPU_ON of a missing vCPU -> ");
	put_dec((uint64_t)-missing);
	puts_uart(" (negated), of myself -> ");
	put_dec((uint64_t)-again);
	puts_uart(" (negated)\n");
	puts_uart("smp guest: ");
	put_dec((uint64_t)count + 1);
	puts_uart(" vCPUs ran\n");
	system_off();
}
