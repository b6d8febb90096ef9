/* SPDX-License-Identifier: Apache-2.0 */
/* Timer interrupts two ways: five through SBI TIME set_timer, then five by writing stimecmp
 * directly (Sstc, which the guest sees as vstimecmp). Each waits in WFI for its interrupt. On a
 * hart without Sstc (QEMU -cpu rv64,sstc=false) the SBI deadline is emulated by the hypervisor
 * through hvip.VSTIP, and reading stimecmp is an illegal instruction (privileged spec 20211203,
 * 2.1: a CSR that does not exist; with Sstc but henvcfg.STCE clear, a virtual-instruction trap the
 * hypervisor turns into one): the guest probes for it and says which it found. */
#include "guest.h"

#define CSR_STIMECMP 0x14d
#define SIE_STIE (1UL << 5)
#define SSTATUS_SIE (1UL << 1)
#define IRQ_S_TIMER 5
#define TICKS_10MS 100000 /* QEMU virt's timebase is 10 MHz */

static volatile int ticks;
static volatile int use_stimecmp;

static void write_stimecmp(uint64_t value)
{
	__asm__ volatile("csrw 0x14d, %0" :: "r"(value) : "memory");
}

void guest_interrupt(uint64_t cause)
{
	if (cause != IRQ_S_TIMER) {
		puts_uart("timer guest: unexpected interrupt\n");
		return;
	}
	ticks++;
	/* Disarm until the main loop arms the next one. */
	if (use_stimecmp)
		write_stimecmp(UINT64_MAX);
	else
		sbi_call(SBI_EXT_TIME, 0, UINT64_MAX, 0, 0);
}

static int wait_ticks(int count)
{
	int start = ticks;
	for (int i = 0; i < count; i++) {
		uint64_t deadline = csr_read(time) + TICKS_10MS;
		int before = ticks;
		if (use_stimecmp)
			write_stimecmp(deadline);
		else
			sbi_call(SBI_EXT_TIME, 0, deadline, 0, 0);
		while (ticks == before)
			__asm__ volatile("wfi");
		if (csr_read(time) < deadline)
			puts_uart("timer guest: interrupt came EARLY\n");
	}
	return ticks - start;
}

void guest_main(uint64_t hartid, uint64_t dtb)
{
	(void)hartid;
	(void)dtb;
	csr_set(sie, SIE_STIE);
	csr_set(sstatus, SSTATUS_SIE);
	int via_sbi = wait_ticks(5);
	puts_uart("timer guest: ");
	put_dec((uint64_t)via_sbi);
	puts_uart(" interrupts via SBI TIME\n");
	if (!guest_has_sstc()) {
		puts_uart("timer guest: no Sstc, stimecmp is an illegal instruction\n");
		system_off();
	}
	use_stimecmp = 1;
	int via_csr = wait_ticks(5);
	puts_uart("timer guest: ");
	put_dec((uint64_t)via_csr);
	puts_uart(" interrupts via stimecmp\n");
	system_off();
}
