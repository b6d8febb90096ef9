/* SPDX-License-Identifier: Apache-2.0 */
/* IPI latency, the AIA's guest interrupt files beside SBI's IPI call (bench/riscv64/ipi.sh):
 *  - to itself, in instructions under -icount shift=0 (the cycle CSR counts them): from the
 *    instruction that sends to the first of the C handler. With ipi.aia=1 the send is a store of
 *    an identity to the hart's own IMSIC page and the claim is stopei (no exit); otherwise it is
 *    SBI's send_ipi (an exit; Tessera raises VSSIP) and the handler clears sip.SSIP;
 *  - between the VM's two harts (when it has two), in wall-clock time: hart 0 sends, hart 1's
 *    handler answers the same way, and hart 0's handler takes the time CSR (10 MHz): the round
 *    trip, in units of 100 ns. Both harts spin between IPIs, so the figure is delivery, not a
 *    wake-up from WFI.
 * Each figure is a distribution of LATENCY_SAMPLES samples (tests/guests/common/latency.c). */
#include "guest.h"
#include "imsic.h"
#include "../common/bootargs.c"
#include "../common/latency.c"

#define LATENCY_SAMPLES 10000
#define IPI_EIID 1
#define IRQ_S_SOFT 1
#define IRQ_S_EXT 9
#define SIE_SSIE (1UL << 1)
#define SSTATUS_SIE (1UL << 1)
#define NS_PER_TICK 100 /* the 10 MHz time CSR */

static int aia;
static struct latency self, round_trip;
static volatile uint64_t sent_at, taken, answered;
static volatile int hart1_up, done;

static void send_ipi(uint64_t hart)
{
	if (aia)
		imsic_send(hart, IPI_EIID);
	else
		sbi_call(SBI_EXT_IPI, 0, 1UL << hart, 0, 0);
}

/* Takes the IPI: claims it from the file, or clears the software interrupt. */
static void acknowledge(uint64_t cause)
{
	if (cause == IRQ_S_EXT) {
		(void)imsic_claim();
	} else {
		csr_clear(sip, SIE_SSIE);
	}
}

void guest_interrupt(uint64_t cause)
{
	uint64_t cycle = csr_read(cycle), now = csr_read(time);
	if (cause != IRQ_S_EXT && cause != IRQ_S_SOFT)
		return;
	acknowledge(cause);
	if (csr_read(sscratch) == 1) {
		send_ipi(0); /* hart 1 answers */
		return;
	}
	if (!hart1_up) {
		latency_add(&self, cycle - sent_at);
	} else {
		latency_add(&round_trip, now - sent_at);
		answered++;
	}
	taken++;
}

static void setup(uint64_t hart)
{
	csr_write(sscratch, hart);
	if (aia) {
		imsic_setup(1UL << IPI_EIID);
		csr_set(sie, SIE_SEIE);
	} else {
		csr_set(sie, SIE_SSIE);
	}
	csr_set(sstatus, SSTATUS_SIE);
}

void secondary_main(uint64_t hartid, uint64_t opaque)
{
	(void)opaque;
	setup(hartid);
	hart1_up = 1;
	while (!done)
		__asm__ volatile("nop");
	for (;;)
		__asm__ volatile("wfi");
}

void guest_main(uint64_t hartid, uint64_t dtb)
{
	aia = (int)bootarg_number(dtb, "ipi.aia", 0);
	setup(hartid);
	puts_uart(aia ? "ipibench: IPIs through the IMSIC\n" : "ipibench: IPIs through SBI\n");
	for (int i = 0; i < LATENCY_SAMPLES; i++) {
		uint64_t before = taken;
		__asm__ volatile("csrr %0, cycle" : "=r"(sent_at) :: "memory");
		send_ipi(0);
		while (taken == before)
			;
	}
	latency_report(aia ? "ipi_self_aia" : "ipi_self_sbi", &self, 1);
	if (sbi_call(SBI_EXT_HSM, 0, 1, (uint64_t)secondary_start, 0).error == 0) {
		while (!hart1_up)
			;
		for (int i = 0; i < LATENCY_SAMPLES; i++) {
			uint64_t before = answered;
			sent_at = csr_read(time);
			send_ipi(1);
			for (long spin = 0; spin < 100000000 && answered == before; spin++)
				;
		}
		done = 1;
		/* Units of 100 ns. */
		latency_report(aia ? "ipi_round_trip_aia" : "ipi_round_trip_sbi", &round_trip, NS_PER_TICK);
	}
	system_off();
}
