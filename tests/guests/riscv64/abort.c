/* SPDX-License-Identifier: Apache-2.0 */
/* Touches an address no device claims: the guest must get an access fault (not a dead VM, not
 * a hypervisor crash), survive it, and carry on. Uses a compressed load too (C.LW). The address is
 * QEMU virt's first virtio-mmio transport, which abort.toml does not give the VM and
 * tests/e2e/configs/excluded-abort-riscv64.toml excludes from the whole machine it passes. */
#include "guest.h"

#define UNCLAIMED_MMIO 0x10001000UL

static volatile int faults;

uint64_t guest_exception(uint64_t scause, uint64_t stval, uint64_t sepc)
{
	faults++;
	puts_uart("abort guest: caught exception cause ");
	put_dec(scause);
	puts_uart(" at stval ");
	put_hex(stval);
	putc_uart('\n');
	uint16_t first = *(volatile uint16_t *)sepc;
	return sepc + ((first & 3) == 3 ? 4 : 2); /* skip the faulting access */
}

void guest_main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	(void)dtb;
	puts_uart("abort guest: reading unclaimed MMIO\n");
	volatile uint32_t *p = (volatile uint32_t *)UNCLAIMED_MMIO;
	uint32_t v = *p;
	(void)v;
	puts_uart("abort guest: writing it twice\n");
	*p = 1;
	*p = 2;
	puts_uart("abort guest: survived ");
	put_dec((uint64_t)faults);
	puts_uart(" faults\n");
	system_off();
}
