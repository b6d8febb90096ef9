/* SPDX-License-Identifier: Apache-2.0 */
/* The timer guest for GICv2 hosts: the same five virtual-timer ticks, three physical-timer ticks and
 * a self-sent SGI, through a GICv2 distributor and the memory-mapped CPU interface; and, as in
 * timer.c, the virtual timer firing with its interrupt disabled (GICD_ICENABLER0, banked per CPU):
 * none taken until it is enabled again. */
#include "guest.h"

#define GICD_BASE 0x08000000UL
#define GICC_BASE 0x08010000UL
#define VTIMER_INTID 27
#define PTIMER_INTID 30
#define TICKS 5
#define PTICKS 3
#define TICK_INTERVAL 100000

static volatile unsigned ticks, pticks, sgis;

static volatile uint32_t *reg(uint64_t addr)
{
	return (volatile uint32_t *)addr;
}

void guest_irq(void)
{
	uint32_t iar = *reg(GICC_BASE + 0x0c); /* GICC_IAR */
	uint32_t intid = iar & 0x3ff;
	if (intid == VTIMER_INTID) {
		ticks++;
		write_reg("cntv_tval_el0", TICK_INTERVAL);
		write_reg("cntv_ctl_el0", ticks < TICKS ? 1 : 0);
	} else if (intid == PTIMER_INTID) {
		pticks++;
		write_reg("cntp_tval_el0", TICK_INTERVAL);
		write_reg("cntp_ctl_el0", pticks < PTICKS ? 1 : 0);
	} else if (intid == 3) {
		sgis++;
	}
	*reg(GICC_BASE + 0x10) = iar; /* GICC_EOIR */
}

void guest_main(uint64_t dtb)
{
	(void)dtb;
	*reg(GICD_BASE + 0x0) = 1;                                              /* GICD_CTLR */
	*reg(GICD_BASE + 0x100) = (1u << VTIMER_INTID) | (1u << PTIMER_INTID) | (1u << 3); /* ISENABLER0 */
	*reg(GICC_BASE + 0x4) = 0xf0;                                           /* GICC_PMR */
	*reg(GICC_BASE + 0x0) = 1;                                              /* GICC_CTLR */
	__asm__ volatile("msr daifclr, #2");
	write_reg("cntv_tval_el0", TICK_INTERVAL);
	write_reg("cntv_ctl_el0", 1);
	while (ticks < TICKS)
		__asm__ volatile("wfi");
	write_reg("cntp_tval_el0", TICK_INTERVAL);
	write_reg("cntp_ctl_el0", 1);
	while (pticks < PTICKS)
		__asm__ volatile("wfi");
	*reg(GICD_BASE + 0xf00) = (2u << 24) | 3; /* GICD_SGIR: SGI 3 to myself */
	for (int i = 0; i < 1000 && !sgis; i++)
		__asm__ volatile("wfi");
	puts_uart("timer guest (GICv2): ");
	put_dec(ticks);
	puts_uart(" virtual timer interrupts, ");
	put_dec(pticks);
	puts_uart(" physical timer interrupts, ");
	put_dec(sgis);
	puts_uart(" SGI\n");
	unsigned before = ticks;
	*reg(GICD_BASE + 0x180) = 1u << VTIMER_INTID; /* GICD_ICENABLER0 */
	write_reg("cntv_tval_el0", TICK_INTERVAL);
	write_reg("cntv_ctl_el0", 1);
	uint64_t until = read_reg("cntvct_el0") + 4 * TICK_INTERVAL;
	while (read_reg("cntvct_el0") < until)
		;
	unsigned while_disabled = ticks - before;
	*reg(GICD_BASE + 0x100) = 1u << VTIMER_INTID; /* GICD_ISENABLER0 */
	for (int i = 0; i < 1000 && ticks == before + while_disabled; i++)
		__asm__ volatile("wfi");
	puts_uart("timer guest (GICv2): ");
	put_dec(while_disabled);
	puts_uart(" virtual timer interrupts while disabled, ");
	put_dec(ticks - before - while_disabled);
	puts_uart(" once enabled again\n");
	system_off();
}
