/* SPDX-License-Identifier: Apache-2.0 */
/* IVC checks (tests/guests/common/ivc.c) on riscv64: hypercalls on SBI extension 0x485643 (the
 * number as function id, a0-a3 the arguments, the result in a1), the doorbell a source of the
 * vPLIC for hart 0's S-mode context, and a read of a window that is gone caught as a load fault. */
#include "guest.h"

#define RAM_END 0x81000000ull
#define PLIC_BASE 0x0c000000UL
#define S_CONTEXT 1 /* hart 0's S-mode */
#define DOORBELL_SOURCE 8
#define SIE_SEIE (1u << 9)
#define SSTATUS_SIE (1u << 1)
#define CAUSE_S_EXTERNAL 9

static volatile unsigned doorbells;

static volatile uint32_t *plic(uint64_t offset)
{
	return (volatile uint32_t *)(PLIC_BASE + offset);
}

static long ivc_call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return sbi_call4(SBI_EXT_TESSERA, nr, a0, a1, a2, a3).value;
}

static uint32_t load32(volatile uint32_t *p)
{
	uint32_t v;
	/* Not compressed: the fault handler resumes 4 bytes on. */
	__asm__ volatile(".option push\n.option norvc\nlw %0, 0(%1)\n.option pop" : "=r"(v) : "r"(p) : "memory");
	return v;
}

static void doorbell_setup(void)
{
	*plic(4 * DOORBELL_SOURCE) = 1;                                    /* priority */
	*plic(0x2000 + 0x80 * S_CONTEXT) = 1u << DOORBELL_SOURCE;          /* enable */
	*plic(0x200000 + 0x1000 * S_CONTEXT) = 0;                          /* threshold */
	csr_set(sie, SIE_SEIE);
}

static void wait_for_interrupt(void)
{
	/* Enabled only around the WFI: the handler runs between the checks of WAIT_UNTIL. */
	csr_set(sstatus, SSTATUS_SIE);
	__asm__ volatile("wfi" ::: "memory");
	csr_clear(sstatus, SSTATUS_SIE);
}

static uint64_t bench_ticks(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t)); /* 10 MHz: 100 instructions a tick under -icount shift=0 */
	return t;
}

#include "../common/ivc.c"

void guest_interrupt(uint64_t cause)
{
	if (cause != CAUSE_S_EXTERNAL)
		return;
	uint32_t source = *plic(0x200000 + 0x1000 * S_CONTEXT + 4); /* claim */
	if (source == DOORBELL_SOURCE)
		doorbells++;
	*plic(0x200000 + 0x1000 * S_CONTEXT + 4) = source; /* complete */
}

uint64_t guest_exception(uint64_t scause, uint64_t stval, uint64_t sepc)
{
	if (probe_fault_taken())
		return sepc + 4; /* past the load */
	puts_uart("unexpected exception: scause ");
	put_hex(scause);
	puts_uart(" stval ");
	put_hex(stval);
	putc_uart('\n');
	system_off();
}

void guest_main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	(void)dtb;
	ivc_main();
	system_off();
}
