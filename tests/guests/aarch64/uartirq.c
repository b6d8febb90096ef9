/* SPDX-License-Identifier: Apache-2.0 */
/* Owns the machine's PL011 and its interrupt (SPI 33) through passthrough: enables the UART's
 * receive interrupts and the SPI in its vGIC, sleeps in WFI, and answers the typed line in
 * capitals from its interrupt handler. Says how many INTIDs its distributor offers (the 32 that
 * hold SPI 33 above the 32 private ones). */
#include "guest.h"

#define GICD_BASE 0x08000000UL
#define UART_SPI 33
#define UARTIMSC 0x38
#define UARTICR 0x44
#define RX_INTERRUPTS ((1u << 4) | (1u << 6))

static volatile char line[64];
static volatile unsigned length, interrupts;
static volatile int done;

static volatile uint32_t *uart(unsigned offset)
{
	return (volatile uint32_t *)(UART_BASE + offset);
}

void guest_irq(void)
{
	uint64_t intid = read_reg("S3_0_C12_C12_0") & 0xffffff; /* ICC_IAR1_EL1 */
	if (intid == UART_SPI) {
		interrupts++;
		unsigned before = length;
		while (!(*uart(0x18) & (1u << 4))) { /* until UARTFR.RXFE */
			char c = (char)(*uart(0) & 0xff);
			if (c == '\r' || c == '\n')
				done = 1;
			else if (length < sizeof(line) - 1)
				line[length++] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
		}
		*uart(UARTICR) = RX_INTERRUPTS;
		if (!done) {
			puts_uart("[interrupt ");
			put_dec(interrupts);
			puts_uart(": ");
			put_dec(length - before);
			puts_uart(" characters]");
		}
	}
	write_reg("S3_0_C12_C12_1", intid); /* ICC_EOIR1_EL1 */
}

void guest_main(uint64_t dtb)
{
	(void)dtb;
	write_reg("S3_0_C12_C12_5", 1); /* ICC_SRE_EL1 */
	__asm__ volatile("isb");
	write_reg("S3_0_C4_C6_0", 0xff);
	write_reg("S3_0_C12_C12_7", 1);
	*(volatile uint32_t *)(GICD_BASE + 0x0) = 0x12;                 /* GICD_CTLR */
	*(volatile uint64_t *)(GICD_BASE + 0x6000 + 8 * UART_SPI) = 0;   /* IROUTER: vCPU 0 */
	*(volatile uint32_t *)(GICD_BASE + 0x100 + 4) = 1u << (UART_SPI - 32); /* ISENABLER1 */
	while (!(*uart(0x18) & (1u << 4)))
		(void)*uart(0); /* drop anything typed before */
	*uart(UARTIMSC) = RX_INTERRUPTS;
	__asm__ volatile("msr daifclr, #2");
	/* GICD_TYPER.ITLinesNumber: the distributor offers INTIDs up to its devices' highest. */
	uint32_t typer = *(volatile uint32_t *)(GICD_BASE + 0x4);
	puts_uart("uartirq guest: the distributor has ");
	put_dec(((typer & 0x1f) + 1) * 32);
	puts_uart(" INTIDs\n");
	puts_uart("uartirq guest: type a line> ");
	while (!done)
		__asm__ volatile("wfi");
	line[length] = 0;
	puts_uart("\nuartirq guest: ");
	puts_uart((const char *)line);
	puts_uart(" (");
	put_dec(interrupts);
	puts_uart(" interrupts)\n");
	system_off();
}
