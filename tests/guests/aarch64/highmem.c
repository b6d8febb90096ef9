/* SPDX-License-Identifier: Apache-2.0 */
/* Uses RAM above 512 GiB (at 1 TiB), which needs more than a 39-bit IPA space: Tessera must pick a
 * larger stage-2 from the CPU's PARange. Writes a pattern there, reads it back. That RAM is
 * read-write but not executable (its config's flags 0x3): a call into it must end in an
 * instruction abort the guest takes (EC 0x21), once, not in the access run again for ever (the
 * hypervisor must not take that stage-2 fault for a first touch of RAM it clears lazily). */
#include "guest.h"

#define HIGH_RAM 0x10000000000UL
#define INSN_RET 0xd65f03c0u

static volatile unsigned fetch_aborts;

static __attribute__((noreturn)) void after_fetch_abort(void)
{
	puts_uart("highmem guest: ");
	put_dec(fetch_aborts);
	puts_uart(" instruction abort(s) calling into RAM that is not executable\n");
	system_off();
	for (;;)
		;
}

uint64_t guest_sync_exception(uint64_t esr, uint64_t far, uint64_t elr)
{
	(void)far;
	(void)elr;
	fetch_aborts++;
	puts_uart("highmem guest: caught exception class ");
	put_hex(esr >> 26);
	putc_uart('\n');
	return (uint64_t)after_fetch_abort; /* the call never returns: the report ends the guest */
}

void guest_main(uint64_t dtb)
{
	(void)dtb;
	volatile uint64_t *high = (volatile uint64_t *)HIGH_RAM;
	for (unsigned i = 0; i < 512; i++)
		high[i * 64] = 0x7e55e7a000000000UL + i;
	unsigned good = 0;
	for (unsigned i = 0; i < 512; i++)
		good += high[i * 64] == 0x7e55e7a000000000UL + i;
	puts_uart("highmem guest: ");
	put_dec(good);
	puts_uart(" of 512 words read back at 1 TiB\n");
	volatile uint32_t *code = (volatile uint32_t *)(HIGH_RAM + 0x1000);
	*code = INSN_RET;
	__asm__ volatile("dsb ish; ic iallu; dsb ish; isb" ::: "memory");
	((void (*)(void))(uintptr_t)code)();
	puts_uart("highmem guest: the call into RAM that is not executable returned\n");
	system_off();
}
