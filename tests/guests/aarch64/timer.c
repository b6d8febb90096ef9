/* SPDX-License-Identifier: Apache-2.0 */
/* Takes interrupts through the virtual GICv3: five EL1 virtual-timer ticks (PPI 27), three EL1
 * physical-timer ticks (PPI 30) and an SGI the guest sends itself, acknowledged and ended through
 * the ICC system registers. Then the virtual timer fires with its interrupt disabled in the
 * redistributor: it must not be taken until enabled again. From the second tick on, the
 * hypervisor makes the timer's interrupt pending again on its exit path's shortest way (guest.S,
 * guest_irq_exit), which must learn of the disable. */
#include "guest.h"

#define GICD_BASE 0x08000000UL
#define GICR_BASE 0x080a0000UL
#define GICR_SGI_BASE (GICR_BASE + 0x10000)
#define VTIMER_INTID 27
#define PTIMER_INTID 30
#define PTICKS 3
#define TICKS 5
#define TICK_INTERVAL 100000 /* counter ticks: 1.6 ms at 62.5 MHz */

static volatile unsigned ticks, pticks, sgis;

static void mmio32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

void guest_irq(void)
{
	uint64_t intid = read_reg("S3_0_C12_C12_0") & 0xffffff; /* ICC_IAR1_EL1 */
	if (intid == VTIMER_INTID) {
		ticks++;
		if (ticks < TICKS) {
			write_reg("cntv_tval_el0", TICK_INTERVAL);
			write_reg("cntv_ctl_el0", 1);
		} else {
			write_reg("cntv_ctl_el0", 0);
		}
	} else if (intid == PTIMER_INTID) {
		pticks++;
		if (pticks < PTICKS) {
			write_reg("cntp_tval_el0", TICK_INTERVAL);
			write_reg("cntp_ctl_el0", 1);
		} else {
			write_reg("cntp_ctl_el0", 0);
		}
	} else if (intid == 3) {
		sgis++;
	}
	write_reg("S3_0_C12_C12_1", intid); /* ICC_EOIR1_EL1 */
}

void guest_main(uint64_t dtb)
{
	(void)dtb;
	write_reg("S3_0_C12_C12_5", 1);     /* ICC_SRE_EL1.SRE */
	__asm__ volatile("isb");
	write_reg("S3_0_C4_C6_0", 0xff);    /* ICC_PMR_EL1 */
	write_reg("S3_0_C12_C12_7", 1);     /* ICC_IGRPEN1_EL1 */
	mmio32(GICD_BASE + 0x0, 0x12);      /* GICD_CTLR: ARE, EnableGrp1 */
	mmio32(GICR_BASE + 0x14, 0);        /* GICR_WAKER: awake */
	mmio32(GICR_SGI_BASE + 0x100, (1u << VTIMER_INTID) | (1u << PTIMER_INTID) | (1u << 3)); /* ISENABLER0 */
	__asm__ volatile("msr daifclr, #2");
	write_reg("cntv_tval_el0", TICK_INTERVAL);
	write_reg("cntv_ctl_el0", 1);
	while (ticks < TICKS)
		__asm__ volatile("wfi");
	write_reg("cntp_tval_el0", TICK_INTERVAL);
	write_reg("cntp_ctl_el0", 1);
	while (pticks < PTICKS)
		__asm__ volatile("wfi");
	write_reg("S3_0_C12_C11_5", 1ULL << 24 | 3ULL << 24 | 1); /* ICC_SGI1R_EL1: SGI 3 to Aff0 0 */
	for (int i = 0; i < 1000 && !sgis; i++)
		__asm__ volatile("wfi");
	puts_uart("timer guest: ");
	put_dec(ticks);
	puts_uart(" virtual timer interrupts, ");
	put_dec(pticks);
	puts_uart(" physical timer interrupts, ");
	put_dec(sgis);
	puts_uart(" SGI\n");
	unsigned before = ticks;
	mmio32(GICR_SGI_BASE + 0x180, 1u << VTIMER_INTID); /* ICENABLER0 */
	write_reg("cntv_tval_el0", TICK_INTERVAL);
	write_reg("cntv_ctl_el0", 1);
	uint64_t until = read_reg("cntvct_el0") + 4 * TICK_INTERVAL;
	while (read_reg("cntvct_el0") < until)
		;
	unsigned while_disabled = ticks - before;
	mmio32(GICR_SGI_BASE + 0x100, 1u << VTIMER_INTID); /* ISENABLER0 */
	for (int i = 0; i < 1000 && ticks == before + while_disabled; i++)
		__asm__ volatile("wfi");
	puts_uart("timer guest: ");
	put_dec(while_disabled);
	puts_uart(" virtual timer interrupts while disabled, ");
	put_dec(ticks - before - while_disabled);
	puts_uart(" once enabled again\n");
	system_off();
}
