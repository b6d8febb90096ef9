/* Exit-path benchmark (bench/riscv64/run.sh runs it under QEMU -icount shift=0, where one
 * instruction takes 1 ns and the 10 MHz time CSR ticks every 100 instructions): a null SBI call
 * (BASE get_spec_version) and a read of the emulated UART's scratch register, each averaged over
 * many iterations, net of an empty loop. Prints instructions per round trip. */
#include "guest.h"

#define ITERATIONS 20000
#define INSNS_PER_TICK 100 /* 1 GHz under -icount shift=0, 10 MHz timebase */
#define UART_SCR 7

static uint64_t empty_loop(void)
{
	uint64_t start = csr_read(time);
	for (int i = 0; i < ITERATIONS; i++)
		__asm__ volatile("" ::: "memory");
	return csr_read(time) - start;
}

static uint64_t null_calls(void)
{
	uint64_t start = csr_read(time);
	for (int i = 0; i < ITERATIONS; i++)
		sbi_call(SBI_EXT_BASE, 0, 0, 0, 0);
	return csr_read(time) - start;
}

static uint64_t mmio_reads(void)
{
	volatile uint8_t *scr = (volatile uint8_t *)(UART_BASE + UART_SCR);
	uint64_t start = csr_read(time);
	for (int i = 0; i < ITERATIONS; i++)
		(void)*scr;
	return csr_read(time) - start;
}

static void report(const char *what, uint64_t ticks, uint64_t empty)
{
	uint64_t net = ticks > empty ? ticks - empty : 0;
	puts_uart("bench: ");
	puts_uart(what);
	puts_uart(": ");
	put_dec(net * INSNS_PER_TICK / ITERATIONS);
	puts_uart(" instructions per round trip\n");
}

void guest_main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	(void)dtb;
	uint64_t empty = empty_loop();
	report("null SBI call (BASE get_spec_version)", null_calls(), empty);
	report("emulated MMIO read (16550 SCR)", mmio_reads(), empty);
	system_off();
}
