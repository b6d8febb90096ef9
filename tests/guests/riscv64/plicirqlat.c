/* SPDX-License-Identifier: Apache-2.0 */
/* Latency of a passed-through device interrupt (issue 19), run by bench/riscv64/run.sh under
 * -icount shift=0, where the cycle CSR counts one per instruction, the hypervisor's and OpenSBI's
 * included. The guest owns the machine's 16550 and its PLIC source 10 (plicirqlat.toml) and
 * measures, LATENCY_SAMPLES times, the instructions from its write of IER.ETBEI, which raises the
 * UART's THR-empty interrupt at once (the transmitter is idle), to the first instruction of its
 * handler: under Tessera the source is taken by the host's PLIC in HS-mode and forwarded to the
 * vPLIC, whose claim the guest's handler then makes. The same binary runs on QEMU without a
 * hypervisor (S-mode under OpenSBI, the real PLIC): the floor beside it. The guest spins while it
 * waits, as bench.c's timer latency does: the figure is the delivery. */
#include "guest.h"
#include "../common/latency_probe.c"

#define PLIC_BASE 0x0c000000UL
#define PLIC_PRIORITY(n) (PLIC_BASE + 4 * (n))
#define PLIC_ENABLE(ctx) (PLIC_BASE + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (PLIC_BASE + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx) (PLIC_THRESHOLD(ctx) + 4)
#define S_CONTEXT 1 /* hart 0's S-mode (the vCPU's, under Tessera) */
#define UART_IRQ 10
#define UART_IER 1
#define UART_IIR 2
#define IER_ETBEI 0x02
#define SIE_SEIE (1UL << 9)
#define SSTATUS_SIE (1UL << 1)
#define IRQ_S_EXT 9
#define LATENCY_SAMPLES 10000

static struct latency_probe plic;

static void write32(uint64_t address, uint32_t value)
{
	*(volatile uint32_t *)address = value;
}

static uint32_t read32(uint64_t address)
{
	return *(volatile uint32_t *)address;
}

void guest_interrupt(uint64_t cause)
{
	uint64_t now = csr_read(cycle);
	if (cause != IRQ_S_EXT)
		return;
	uint32_t source = read32(PLIC_CLAIM(S_CONTEXT));
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
	if (source == UART_IRQ) {
		latency_taken(&plic, now);
		(void)uart[UART_IIR]; /* reading THR-empty in IIR clears it */
		uart[UART_IER] = 0;
	}
	if (source)
		write32(PLIC_CLAIM(S_CONTEXT), source);
}

void guest_main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	(void)dtb;
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
	uart[UART_IER] = 0;
	write32(PLIC_PRIORITY(UART_IRQ), 1);
	write32(PLIC_ENABLE(S_CONTEXT), 1u << UART_IRQ);
	write32(PLIC_THRESHOLD(S_CONTEXT), 0);
	csr_set(sie, SIE_SEIE);
	csr_set(sstatus, SSTATUS_SIE);
	for (int i = 0; i < LATENCY_SAMPLES; i++) {
		uint64_t before = plic.samples;
		latency_raise(&plic, csr_read(cycle));
		uart[UART_IER] = IER_ETBEI;
		while (plic.samples == before)
			;
	}
	csr_clear(sstatus, SSTATUS_SIE);
	latency_probe_report("plic", &plic);
	system_off();
}
