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
 * measures, must get its interrupts all the same (the vGIC and the host's line reset with the VM).
 * spilat_zcu102.c is the same for the ZCU102 (a GICv2, the board's second Cadence UART, whose
 * interrupt the guest raises by enabling it). */
#include "guest.h"
#include "gic_guest.h"
#include "../common/latency_probe.c"

#ifndef BENCH_SPI_NAME
#define BENCH_SPI_NAME "spi"
#endif

#define LATENCY_SAMPLES 10000

#ifdef SPILAT_CADENCE
/* The ZCU102's second Cadence UART (UG1085, UART registers): its transmit-FIFO-empty interrupt is
 * raised by enabling it (the FIFO is empty, QEMU's model keeps the status bit set while it is). */
#define DEVICE_BASE 0xff010000UL
#define DEVICE_SPI 54 /* SPI 22 in the board's tree */
#define CR 0x00
#define IER 0x08
#define IDR 0x0c
#define CISR 0x14
#define TEMPTY (1u << 3)

static volatile uint32_t *device(unsigned offset)
{
	return (volatile uint32_t *)(DEVICE_BASE + offset);
}

static void device_setup(void)
{
	*device(IDR) = 0x1fff;
	*device(CR) = (1u << 4) | (1u << 2); /* TX_EN, RX_EN */
}

static void device_arm(void)
{
}

static void device_fire(unsigned i)
{
	(void)i;
	*device(IER) = TEMPTY;
}

static void device_quiet(void)
{
	*device(IDR) = TEMPTY;
	*device(CISR) = TEMPTY;
}
#else
/* The PL011: QEMU's sends a written character at once and raises its transmit interrupt. */
#define DEVICE_SPI 33
#define UARTDR 0x00
#define UARTIMSC 0x38
#define UARTICR 0x44
#define TX_INTERRUPT (1u << 5) /* UARTIMSC.TXIM, UARTICR.TXIC */

static volatile uint32_t *device(unsigned offset)
{
	return (volatile uint32_t *)(UART_BASE + offset);
}

static void device_setup(void)
{
	*device(UARTICR) = TX_INTERRUPT;
}

static void device_arm(void)
{
	*device(UARTIMSC) = TX_INTERRUPT;
}

static void device_fire(unsigned i)
{
	*device(UARTDR) = (i + 1) % 100 ? '.' : '\n';
}

static void device_quiet(void)
{
	*device(UARTIMSC) = 0;
	*device(UARTICR) = TX_INTERRUPT;
}
#endif

static struct latency_probe spi;
static uint64_t boot;

static inline uint64_t cycles(void)
{
	__asm__ volatile("isb" ::: "memory");
	return read_reg("pmccntr_el0");
}

void guest_irq(void)
{
	uint64_t t = cycles();
	uint32_t ack = gic_ack();
	if (gic_intid(ack) == DEVICE_SPI) {
		latency_taken(&spi, t);
		device_quiet();
#ifndef SPILAT_BARE
		if (boot == 1) {
			puts_uart("\nspilat guest: boot 1 resets inside its interrupt handler\n");
			hvc(PSCI_SYSTEM_RESET, 0, 0, 0);
		}
#endif
	}
	gic_end(ack);
}

void guest_main(uint64_t dtb)
{
	(void)dtb;
#ifndef SPILAT_BARE
	boot = hvc(HYPERCALL_TESSERA_BOOT_COUNT, 0, 0, 0);
#endif
	gic_start();
	gic_enable(DEVICE_SPI);
	/* The cycle counter, counting at EL2 too (PMCCFILTR_EL0.NSH): the hypervisor's time is part
	 * of the latency. */
	write_reg("pmccfiltr_el0", 1u << 27);
	write_reg("pmcntenset_el0", 1u << 31);
	write_reg("pmcr_el0", read_reg("pmcr_el0") | 1);
	device_setup();
	for (unsigned i = 0; i < LATENCY_SAMPLES; i++) {
		uint64_t before = spi.samples;
		device_arm();
		latency_raise(&spi, cycles());
		device_fire(i);
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
