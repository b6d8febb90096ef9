/* SPDX-License-Identifier: Apache-2.0 */
/* For a guest built to run on QEMU's xlnx-zcu102 without a hypervisor (the floors of
 * `make bench PLATFORM=zcu102`): the board's GIC-400 (its tree's addresses), its first Cadence UART
 * as the console, and PSCI through SMC, QEMU's conduit on a ZynqMP without EL3. Included before the
 * guest's own source. */
#ifndef ZCU102_BARE_H
#define ZCU102_BARE_H

#include "guest.h"

#define GUEST_GICV2 1
#define GICD_BASE 0xf9010000UL
#define GICC_BASE 0xf9020000UL
#define ZCU102_UART0 0xff000000UL

void putc_uart(char c)
{
	volatile uint32_t *uart = (volatile uint32_t *)ZCU102_UART0;
	uart[0x00 / 4] = (1u << 4) | (1u << 2); /* CR: TX_EN, RX_EN (QEMU resets with TX disabled) */
	while (uart[0x2c / 4] & (1u << 4))      /* SR.TXFULL */
		;
	uart[0x30 / 4] = (uint32_t)c; /* FIFO */
}

void system_off(void)
{
	register uint64_t x0 __asm__("x0") = PSCI_SYSTEM_OFF;
	__asm__ volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
	for (;;)
		__asm__ volatile("wfi");
}

#endif
