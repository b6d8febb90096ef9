/* SPDX-License-Identifier: Apache-2.0 */
/* Latency of a passed-through device interrupt (issue 19), run by bench/aarch64/run.sh under
 * -icount shift=0, where the PMU's cycle counter counts one per instruction, the hypervisor's
 * included. The guest owns the machine's PL011 and its SPI 33 (spilat.toml) and measures,
 * LATENCY_SAMPLES times, the instructions from its write to the UART's data register to the first
 * instruction of its interrupt handler: QEMU's PL011 sends a written character at once and raises
 * its transmit interrupt, so the time is the SPI's way from the device to the guest (under Tessera:
 * taken at EL2, forwarded to the vGIC, delivered through a list register). spilat_bare.c is the
 * same code on QEMU without a hypervisor: the floor beside it. Under Tessera the first boot takes one
 * interrupt and resets its VM from inside the handler, before ending it: the second boot, which
 * measures, must get its interrupts all the same (the vGIC and the host's line reset with the VM). */
#include "guest.h"
#include "../common/latency_probe.c"

#ifndef BENCH_SPI_NAME
#define BENCH_SPI_NAME "spi"
#endif

#define GICD_BASE 0x08000000UL
#define GICR_WAKER (0x080a0000UL + 0x14)
#define UART_SPI 33
#define UARTDR 0x00
#define UARTIMSC 0x38
#define UARTICR 0x44
#define TX_INTERRUPT (1u << 5) /* UARTIMSC.TXIM, UARTICR.TXIC */
#define LATENCY_SAMPLES 10000

#define write_reg(name, v) __asm__ volatile("msr " name ", %0" ::"r"((uint64_t)(v)) : "memory")
#define read_reg(name) ({ uint64_t v__; __asm__ volatile("mrs %0, " name : "=r"(v__)); v__; })

static struct latency_probe spi;
static uint64_t boot;

static volatile uint32_t *uart(unsigned offset)
{
	return (volatile uint32_t *)(UART_BASE + offset);
}

static inline uint64_t cycles(void)
{
	__asm__ volatile("isb" ::: "memory");
	return read_reg("pmccntr_el0");
}

void guest_irq(void)
{
	uint64_t t = cycles();
	uint64_t intid = read_reg("S3_0_C12_C12_0") & 0xffffff; /* ICC_IAR1_EL1 */
	if (intid == UART_SPI) {
		latency_taken(&spi, t);
		*uart(UARTIMSC) = 0;
		*uart(UARTICR) = TX_INTERRUPT;
#ifndef SPILAT_BARE
		if (boot == 1) {
			puts_uart("\nspilat guest: boot 1 resets inside its interrupt handler\n");
			hvc(PSCI_SYSTEM_RESET, 0, 0, 0);
		}
#endif
	}
	write_reg("S3_0_C12_C12_1", intid); /* ICC_EOIR1_EL1 */
}

void guest_main(uint64_t dtb)
{
	(void)dtb;
#ifndef SPILAT_BARE
	boot = hvc(HYPERCALL_TESSERA_BOOT_COUNT, 0, 0, 0);
#endif
	write_reg("S3_0_C12_C12_5", 1); /* ICC_SRE_EL1 */
	__asm__ volatile("isb");
	write_reg("S3_0_C4_C6_0", 0xff); /* ICC_PMR_EL1 */
	write_reg("S3_0_C12_C12_7", 1);  /* ICC_IGRPEN1_EL1 */
	*(volatile uint32_t *)GICR_WAKER = 0; /* awake (bare QEMU's redistributor starts asleep) */
	*(volatile uint32_t *)(GICD_BASE + 0x0) = 0x12;                 /* GICD_CTLR: ARE, group 1 */
	*(volatile uint32_t *)(GICD_BASE + 0x80 + 4) = 1u << (UART_SPI - 32);  /* IGROUPR1: group 1 */
	*(volatile uint64_t *)(GICD_BASE + 0x6000 + 8 * UART_SPI) = 0;   /* IROUTER: CPU 0 */
	*(volatile uint32_t *)(GICD_BASE + 0x100 + 4) = 1u << (UART_SPI - 32); /* ISENABLER1 */
	/* The cycle counter, counting at EL2 too (PMCCFILTR_EL0.NSH): the hypervisor's time is part
	 * of the latency. */
	write_reg("pmccfiltr_el0", 1u << 27);
	write_reg("pmcntenset_el0", 1u << 31);
	write_reg("pmcr_el0", read_reg("pmcr_el0") | 1);
	*uart(UARTICR) = TX_INTERRUPT;
	for (unsigned i = 0; i < LATENCY_SAMPLES; i++) {
		uint64_t before = spi.samples;
		*uart(UARTIMSC) = TX_INTERRUPT;
		latency_raise(&spi, cycles());
		*uart(UARTDR) = (i + 1) % 100 ? '.' : '\n';
		/* Checked with interrupts masked, then WFI, which an interrupt pending wakes all the same
		 * (Arm ARM D1.6.2): one taken between the check and an unmasked WFI would leave it asleep. */
		while (spi.samples == before)
			__asm__ volatile("wfi\n\tmsr daifclr, #2\n\tisb\n\tmsr daifset, #2" ::: "memory");
	}
	putc_uart('\n');
	latency_probe_report(BENCH_SPI_NAME, &spi);
	puts_uart("bench: done\n");
	system_off();
}
