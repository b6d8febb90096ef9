/* SPDX-License-Identifier: Apache-2.0 */
/* Reboots its VM once through the reset control port 0xcf9: the first boot asks for the reset,
 * the second (counted by the hypervisor, since RAM is wiped) powers off. Each boot shows its
 * IOAPIC's pin 5 as it finds it, masked at power-on; the first unmasks it before the reset, so the
 * second sees whether the reset put the IOAPIC back. */
#include "guest.h"

#define IOAPIC_BASE 0xfec00000UL
#define PIN 5

static uint64_t marker = 0x1234; /* in .data: a reset must bring back the image's value */

static uint32_t ioapic_read(unsigned reg)
{
	*(volatile uint32_t *)IOAPIC_BASE = reg;
	return *(volatile uint32_t *)(IOAPIC_BASE + 0x10);
}

static void ioapic_write(unsigned reg, uint32_t value)
{
	*(volatile uint32_t *)IOAPIC_BASE = reg;
	*(volatile uint32_t *)(IOAPIC_BASE + 0x10) = value;
}

void guest_main(uint64_t arg)
{
	(void)arg;
	uint64_t boot = vmmcall(HYPERCALL_TESSERA_BOOT_COUNT, 0, 0, 0);
	puts_uart("reset guest: boot ");
	put_dec(boot);
	puts_uart(", marker ");
	put_hex(marker);
	puts_uart(", IOAPIC pin 5 ");
	put_hex(ioapic_read(0x10 + 2 * PIN));
	putc_uart('\n');
	marker = 0xdead;
	if (boot == 1) {
		ioapic_write(0x10 + 2 * PIN, 0x55); /* vector 0x55, fixed, edge, unmasked */
		puts_uart("reset guest: asking for a reset\n");
		system_reset();
		puts_uart("reset returned!\n");
	}
	system_off();
}
