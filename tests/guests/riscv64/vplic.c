/* SPDX-License-Identifier: Apache-2.0 */
/* The emulated PLIC: the UART's THR-empty interrupt (source 10, which the VM owns) arrives as a
 * supervisor external interrupt, is claimed and completed; source 5, which the VM does not own,
 * cannot be enabled. The first boot claims it and resets the VM (SBI SRST) without completing
 * it: a reset PLIC has nothing in service, so the second boot gets it again. */
#include "guest.h"

#define PLIC_BASE 0x0c000000UL
#define PLIC_PRIORITY(n) (PLIC_BASE + 4 * (n))
#define PLIC_ENABLE(ctx) (PLIC_BASE + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (PLIC_BASE + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx) (PLIC_THRESHOLD(ctx) + 4)
#define S_CONTEXT 1 /* hart 0's S-mode */
#define UART_IRQ 10
#define UART_IER 1
#define UART_IIR 2
#define SIE_SEIE (1UL << 9)
#define SSTATUS_SIE (1UL << 1)
#define IRQ_S_EXT 9

static volatile int external_irqs, claimed_source, iir_seen;
static uint64_t boot;

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
	if (cause != IRQ_S_EXT)
		return;
	external_irqs++;
	uint32_t source = read32(PLIC_CLAIM(S_CONTEXT));
	claimed_source = (int)source;
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
	iir_seen = uart[UART_IIR] & 0x0f; /* 0x2: THR empty; reading it clears the source */
	uart[UART_IER] = 0;
	if (boot != 1)
		write32(PLIC_CLAIM(S_CONTEXT), source);
}

void guest_main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	(void)dtb;
	boot = (uint64_t)hypercall(HYPERCALL_TESSERA_BOOT_COUNT);
	write32(PLIC_PRIORITY(UART_IRQ), 1);
	write32(PLIC_PRIORITY(5), 1);
	write32(PLIC_ENABLE(S_CONTEXT), (1u << UART_IRQ) | (1u << 5));
	write32(PLIC_THRESHOLD(S_CONTEXT), 0);
	uint32_t enabled = read32(PLIC_ENABLE(S_CONTEXT));
	puts_uart("vplic guest: enable bits read back ");
	put_hex(enabled);
	putc_uart('\n');
	csr_set(sie, SIE_SEIE);
	csr_set(sstatus, SSTATUS_SIE);
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
	uart[UART_IER] = 0x02; /* THR empty interrupt: raised at once, the transmitter is idle */
	for (int spin = 0; spin < 1000000 && !external_irqs; spin++)
		__asm__ volatile("wfi");
	if (boot == 1 && external_irqs) {
		puts_uart("vplic guest: boot 1 claimed source ");
		put_dec((uint64_t)claimed_source);
		puts_uart(" and resets without completing it\n");
		sbi_call(SBI_EXT_SRST, 0, 1, 0, 0);
	}
	puts_uart("vplic guest: ");
	put_dec((uint64_t)external_irqs);
	puts_uart(" external interrupt(s), claimed source ");
	put_dec((uint64_t)claimed_source);
	puts_uart(", IIR ");
	put_hex((uint64_t)iir_seen);
	puts_uart(", nothing left to claim: ");
	put_dec(read32(PLIC_CLAIM(S_CONTEXT)));
	putc_uart('\n');
	system_off();
}
