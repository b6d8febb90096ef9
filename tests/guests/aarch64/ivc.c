/* SPDX-License-Identifier: Apache-2.0 */
/* IVC checks (tests/guests/common/ivc.c) on aarch64: hypercalls by HVC (x0 = number, x1-x4 the
 * arguments), the doorbell an SPI through the vGIC (GICv3, routed to vCPU 0), and a read of a
 * window that is gone caught as a data abort. */
#include "guest.h"

#define RAM_END 0x41000000ull
#define GICD_BASE 0x08000000UL
#define DOORBELL_SPI 64

static volatile unsigned doorbells;

static long ivc_call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return (long)hvc4(nr, a0, a1, a2, a3);
}

static uint32_t load32(volatile uint32_t *p)
{
	uint32_t v;
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(p) : "memory");
	return v;
}

static void doorbell_setup(void)
{
	write_reg("S3_0_C12_C12_5", 1); /* ICC_SRE_EL1 */
	__asm__ volatile("isb");
	write_reg("S3_0_C4_C6_0", 0xff); /* ICC_PMR_EL1 */
	write_reg("S3_0_C12_C12_7", 1);  /* ICC_IGRPEN1_EL1 */
	*(volatile uint32_t *)(GICD_BASE + 0x0) = 0x12;                          /* GICD_CTLR: ARE, group 1 */
	*(volatile uint64_t *)(GICD_BASE + 0x6000 + 8 * DOORBELL_SPI) = 0;       /* IROUTER: vCPU 0 */
	*(volatile uint32_t *)(GICD_BASE + 0x100 + 4 * (DOORBELL_SPI / 32)) = 1u << (DOORBELL_SPI % 32);
}

static void wait_for_interrupt(void)
{
	/* Unmasked only around the WFI: the handler then runs between the checks of WAIT_UNTIL. */
	__asm__ volatile("msr daifclr, #2; wfi; msr daifset, #2" ::: "memory");
}

static uint64_t bench_ticks(void)
{
	__asm__ volatile("isb");
	return read_reg("cntvct_el0"); /* 62.5 MHz on QEMU virt: 16 instructions a tick under -icount shift=0 */
}

#include "../common/ivc.c"

void guest_irq(void)
{
	uint64_t intid = read_reg("S3_0_C12_C12_0") & 0xffffff; /* ICC_IAR1_EL1 */
	if (intid == DOORBELL_SPI)
		doorbells++;
	write_reg("S3_0_C12_C12_1", intid); /* ICC_EOIR1_EL1 */
}

uint64_t guest_sync_exception(uint64_t esr, uint64_t far, uint64_t elr)
{
	if (probe_fault_taken())
		return elr + 4; /* past the load */
	puts_uart("unexpected exception: ESR ");
	put_hex(esr);
	puts_uart(" FAR ");
	put_hex(far);
	putc_uart('\n');
	system_off();
}

void guest_main(uint64_t dtb)
{
	(void)dtb;
	ivc_main();
	system_off();
}
