/* SPDX-License-Identifier: Apache-2.0 */
/* The AIA as a guest sees it (RISC-V AIA 1.0): its own IMSIC, a supervisor interrupt file per hart
 * at IMSIC_BASE + 4 KiB * hart (which Tessera backs with guest interrupt files of the real IMSIC),
 * and an APLIC domain in MSI mode at APLIC_BASE (the vAPLIC).
 *  - Messages a hart sends itself (a store of an identity to its own page) and IPIs between the two
 *    harts (a store to the other's page, answered the same way) arrive as supervisor external
 *    interrupts claimed through stopei, without an exit: the guest counts its vCPU's exits around
 *    them with Tessera's exit-count hypercall.
 *  - The UART's line (source 10) through the vAPLIC: level-high, its message identity and hart set
 *    by target; one message while the THR-empty interrupt is asserted, none at the end of the
 *    interrupt (setipnum) once the guest has cleared it; genmsi sends an identity to hart 1.
 *  - Source 5, which the VM does not own, cannot be enabled. */
#include "guest.h"
#include "imsic.h"

#define APLIC_BASE 0x0d000000UL
#define APLIC_DOMAINCFG 0x0000
#define APLIC_SOURCECFG(n) (0x0004 + 4 * ((n) - 1))
#define APLIC_SETIE0 0x1e00
#define APLIC_SETIENUM 0x1edc
#define APLIC_SETIPNUM_LE 0x2000
#define APLIC_GENMSI 0x3000
#define APLIC_TARGET(n) (0x3004 + 4 * ((n) - 1))
#define SOURCE_LEVEL_HIGH 6
#define DOMAINCFG_IE (1u << 8)
#define UART_IRQ 10
#define UART_IER 1
#define UART_IIR 2
#define UART_LSR 5
#define UART_EIID 20
#define GENMSI_EIID 33
#define PING_EIID 7
#define SELF_FIRST_EIID 40 /* 40..59: apart from the identities of the other parts */
#define SELF_EIIDS 20
#define SSTATUS_SIE (1UL << 1)
#define IRQ_S_EXT 9
#define ROUNDS 1000
#define HYPERCALL_TESSERA_EXIT_COUNT 0x106

static volatile uint32_t received[2][64]; /* per hart, per identity */
static volatile uint64_t last_id[2];
static volatile int hart1_ready, hart1_done, iir_seen;
static volatile long hart1_exits;

static void write32(uint64_t address, uint32_t value)
{
	*(volatile uint32_t *)address = value;
}

static uint32_t read32(uint64_t address)
{
	return *(volatile uint32_t *)address;
}


/* The hart's id, kept in sscratch by setup_file: the interrupt handler reads it without an exit. */
static uint64_t hart_id(void)
{
	return csr_read(sscratch);
}

/* This hart's file: delivery on, identities 1..63 enabled, external interrupts on. */
static void setup_file(uint64_t hart)
{
	csr_write(sscratch, hart);
	imsic_setup(~1UL);
	csr_set(sie, SIE_SEIE);
	csr_set(sstatus, SSTATUS_SIE);
}

static long exits(void)
{
	return hypercall(HYPERCALL_TESSERA_EXIT_COUNT);
}

static void send(uint64_t hart, uint32_t identity)
{
	imsic_send(hart, identity);
}

void guest_interrupt(uint64_t cause)
{
	if (cause != IRQ_S_EXT)
		return;
	uint64_t hart = hart_id() & 1;
	for (uint64_t id; (id = imsic_claim()) != 0;) {
		if (id < 64)
			received[hart][id]++;
		last_id[hart] = id;
		if (id == UART_EIID) {
			volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
			iir_seen = uart[UART_IIR] & 0x0f; /* 0x2: THR empty; reading it clears it */
			uart[UART_IER] = 0;
			write32(APLIC_BASE + APLIC_SETIPNUM_LE, UART_IRQ); /* Linux's end of a level interrupt */
		}
		if (hart == 1 && id == PING_EIID)
			send(0, PING_EIID); /* the pong */
	}
}

void secondary_main(uint64_t hartid, uint64_t opaque)
{
	(void)opaque;
	setup_file(hartid);
	long before = exits();
	hart1_ready = 1;
	/* Running, not waiting: the IPIs interrupt the guest where it is. */
	while (!hart1_done)
		__asm__ volatile("nop");
	hart1_exits = exits() - before - 1;
	hart1_ready = 2;
	for (;;)
		__asm__ volatile("wfi");
}

/* Waits with interrupts masked between the check and the wfi (which wakes for a pending interrupt
 * whatever sstatus.SIE says), so one taken just before it cannot leave it waiting for the next. */
static void wait_for(volatile uint32_t *counter, uint32_t value)
{
	for (long spin = 0; spin < 1000000; spin++) {
		csr_set(sstatus, SSTATUS_SIE); /* what is pending is taken here, without a wait */
		csr_clear(sstatus, SSTATUS_SIE);
		if (*counter >= value)
			break;
		__asm__ volatile("wfi");
	}
	csr_set(sstatus, SSTATUS_SIE);
}

/* Waits without a wfi: for another hart's counter, and for answers that should come while this hart
 * runs (an interrupt taken in the guest is no exit; a wfi is one). */
static void spin_for(volatile uint32_t *counter, uint32_t value)
{
	for (long spin = 0; spin < 100000000 && *counter < value; spin++)
		__asm__ volatile("nop");
}


void guest_main(uint64_t hartid, uint64_t dtb)
{
	(void)dtb;
	setup_file(hartid);

	/* The count itself: an emulated UART register read between two counts is one exit, so the
	 * zeros below are the count's and not a count that never moves. */
	long before = exits();
	(void)((volatile uint8_t *)UART_BASE)[UART_LSR];
	long uart_exits = exits() - before - 1;
	puts_uart("aia guest: an emulated UART read costs ");
	put_dec((uint64_t)uart_exits);
	puts_uart(" exit(s)\n");

	before = exits();
	for (uint32_t i = 0; i < ROUNDS; i++) {
		uint32_t id = SELF_FIRST_EIID + i % SELF_EIIDS;
		uint32_t want = received[0][id] + 1;
		send(0, id);
		wait_for(&received[0][id], want);
	}
	long self_exits = exits() - before - 1;
	uint32_t self_total = 0;
	for (int id = SELF_FIRST_EIID; id < SELF_FIRST_EIID + SELF_EIIDS; id++)
		self_total += received[0][id];
	puts_uart("aia guest: ");
	put_dec(self_total);
	puts_uart(" messages to myself, ");
	put_dec((uint64_t)self_exits);
	puts_uart(" exits\n");

	sbi_call(SBI_EXT_HSM, 0, 1, (uint64_t)secondary_start, 0);
	while (!hart1_ready)
		;
	before = exits();
	for (uint32_t i = 0; i < ROUNDS; i++) {
		uint32_t want = received[0][PING_EIID] + 1;
		send(1, PING_EIID);
		spin_for(&received[0][PING_EIID], want);
	}
	long ping_exits = exits() - before - 1;
	hart1_done = 1;
	while (hart1_ready != 2)
		;
	puts_uart("aia guest: ");
	put_dec(received[1][PING_EIID]);
	puts_uart(" IPIs to hart 1, ");
	put_dec(received[0][PING_EIID]);
	puts_uart(" answered, ");
	put_dec((uint64_t)ping_exits);
	puts_uart(" exits on hart 0, ");
	put_dec((uint64_t)hart1_exits);
	puts_uart(" on hart 1\n");

	/* The UART's line through the vAPLIC, to hart 0 as identity 20. */
	write32(APLIC_BASE + APLIC_SOURCECFG(UART_IRQ), SOURCE_LEVEL_HIGH);
	write32(APLIC_BASE + APLIC_TARGET(UART_IRQ), (0u << 18) | UART_EIID);
	write32(APLIC_BASE + APLIC_SETIENUM, UART_IRQ);
	write32(APLIC_BASE + APLIC_SOURCECFG(5), SOURCE_LEVEL_HIGH);
	write32(APLIC_BASE + APLIC_SETIENUM, 5);
	write32(APLIC_BASE + APLIC_DOMAINCFG, DOMAINCFG_IE);
	uint32_t domaincfg = read32(APLIC_BASE + APLIC_DOMAINCFG);
	uint32_t enabled = read32(APLIC_BASE + APLIC_SETIE0);
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
	uart[UART_IER] = 0x02; /* THR empty: asserted at once, the transmitter is idle */
	wait_for(&received[0][UART_EIID], 1);
	for (int spin = 0; spin < 100000; spin++)
		__asm__ volatile("nop");
	puts_uart("aia guest: domaincfg ");
	put_hex(domaincfg);
	puts_uart(", enabled sources ");
	put_hex(enabled);
	puts_uart(", UART messages ");
	put_dec(received[0][UART_EIID]);
	puts_uart(" (IIR ");
	put_hex((uint64_t)iir_seen);
	puts_uart(")\n");

	write32(APLIC_BASE + APLIC_GENMSI, (1u << 18) | GENMSI_EIID);
	spin_for(&received[1][GENMSI_EIID], 1);
	puts_uart("aia guest: genmsi reached hart 1: ");
	put_dec(received[1][GENMSI_EIID]);
	putc_uart('\n');
	system_off();
}
