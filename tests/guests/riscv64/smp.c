/* SPDX-License-Identifier: Apache-2.0 */
/* Starts every other hart with SBI HSM hart_start; each reports in and stops itself. */
#include "guest.h"

#define MAX_HARTS 8
static volatile int started[MAX_HARTS];

void secondary_main(uint64_t hartid, uint64_t opaque)
{
	started[hartid] = (int)opaque;
	__asm__ volatile("fence rw, rw" ::: "memory");
	sbi_call(SBI_EXT_HSM, 1, 0, 0, 0); /* hart_stop */
	puts_uart("hart_stop returned!\n");
}

void guest_main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	(void)dtb;
	int count = 0;
	for (uint64_t i = 1; i < MAX_HARTS; i++) {
		struct sbiret r = sbi_call(SBI_EXT_HSM, 0, i, (uint64_t)secondary_start, 0x100 + i);
		if (r.error != 0)
			break;
		count++;
		while (started[i] != (int)(0x100 + i))
			;
		puts_uart("smp guest: hart ");
		put_dec(i);
		puts_uart(" is up\n");
	}
	/* Once a started hart has stopped itself, its status reads STOPPED (1). */
	long status;
	do
		status = sbi_call(SBI_EXT_HSM, 2, 1, 0, 0).value;
	while (status != 1);
	puts_uart("smp guest: hart 1 status after hart_stop -> ");
	put_dec((uint64_t)status);
	putc_uart('\n');
	struct sbiret missing = sbi_call(SBI_EXT_HSM, 0, 0x55, (uint64_t)secondary_start, 0);
	struct sbiret again = sbi_call(SBI_EXT_HSM, 0, 0, (uint64_t)secondary_start, 0);
	puts_uart("smp guest: hart_start of a missing hart -> ");
	put_dec((uint64_t)-missing.error);
	puts_uart(" (negated), of myself -> ");
	put_dec((uint64_t)-again.error);
	puts_uart(" (negated)\nsmp guest: ");
	put_dec((uint64_t)count + 1);
	puts_uart(" harts ran\n");
	system_off();
}
