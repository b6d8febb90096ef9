/* SPDX-License-Identifier: Apache-2.0 */
/* plicirqlat.c on the AIA (RISC-V AIA 1.0): the guest owns the machine's 16550 and its APLIC
 * source 10 (aplicirqlat.toml), set up in its APLIC domain in MSI mode (level-high, to hart 0 as
 * identity UART_EIID, 4.5) and claimed from its own interrupt file (imsic.h), and measures,
 * LATENCY_SAMPLES times, the instructions from its write of IER.ETBEI to the first instruction of
 * its handler. Under Tessera the host APLIC sends the source straight to the vCPU's guest
 * interrupt file (vaplic.c): no exit on the way. The same binary runs on QEMU's AIA machine without
 * a hypervisor (S-mode under OpenSBI, which gives the supervisor domain every source): the floor
 * beside it, run by bench/riscv64/run.sh. Under Tessera the first boot takes one interrupt and
 * resets its VM from inside the handler, the UART still asserting its line: the second boot,
 * which measures, must find the source inactive until it sets it up, and get every interrupt. */
#include "guest.h"
#include "imsic.h"
#include "../common/latency_probe.c"

#define APLIC_BASE 0x0d000000UL
#define APLIC_DOMAINCFG 0x0000
#define APLIC_DOMAINCFG_IE (1u << 8)
#define APLIC_DOMAINCFG_DM (1u << 2) /* MSI delivery */
#define APLIC_SOURCECFG(n) (0x0004 + 4 * ((n) - 1))
#define APLIC_SOURCE_LEVEL_HIGH 6u
#define APLIC_SETIENUM 0x1edc
#define APLIC_TARGET(n) (0x3004 + 4 * ((n) - 1))
#define UART_IRQ 10
#define UART_EIID 10
#define UART_IER 1
#define UART_IIR 2
#define IER_ETBEI 0x02
#define SSTATUS_SIE (1UL << 1)
#define IRQ_S_EXT 9
#define LATENCY_SAMPLES 10000

static struct latency_probe aplic;
static uint64_t boot; /* Tessera's boot count; 0 on bare QEMU (OpenSBI knows no such call) */

static void write32(uint64_t address, uint32_t value)
{
	*(volatile uint32_t *)address = value;
}

void guest_interrupt(uint64_t cause)
{
	uint64_t now = csr_read(cycle);
	if (cause != IRQ_S_EXT)
		return;
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
	for (uint64_t id; (id = imsic_claim()) != 0;) {
		if (id != UART_EIID)
			continue;
		latency_taken(&aplic, now);
		if (boot == 1) {
			puts_uart("\naplicirqlat guest: boot 1 resets inside its interrupt handler\n");
			sbi_call(SBI_EXT_SRST, 0, 1, 0, 0); /* cold reboot */
		}
		(void)uart[UART_IIR]; /* reading THR-empty in IIR clears it */
		uart[UART_IER] = 0;   /* the line is low: no end-of-interrupt write is owed (4.9.2) */
	}
}

void guest_main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	(void)dtb;
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
	boot = (uint64_t)hypercall(HYPERCALL_TESSERA_BOOT_COUNT);
	uart[UART_IER] = 0;
	imsic_setup(1UL << UART_EIID);
	write32(APLIC_BASE + APLIC_SOURCECFG(UART_IRQ), APLIC_SOURCE_LEVEL_HIGH);
	write32(APLIC_BASE + APLIC_TARGET(UART_IRQ), (0u << 18) | UART_EIID);
	write32(APLIC_BASE + APLIC_SETIENUM, UART_IRQ);
	write32(APLIC_BASE + APLIC_DOMAINCFG, APLIC_DOMAINCFG_IE | APLIC_DOMAINCFG_DM);
	csr_set(sie, SIE_SEIE);
	csr_set(sstatus, SSTATUS_SIE);
	for (int i = 0; i < LATENCY_SAMPLES; i++) {
		uint64_t before = aplic.samples;
		latency_raise(&aplic, csr_read(cycle));
		uart[UART_IER] = IER_ETBEI;
		while (aplic.samples == before)
			;
	}
	csr_clear(sstatus, SSTATUS_SIE);
	latency_probe_report("aplic", &aplic);
	system_off();
}
