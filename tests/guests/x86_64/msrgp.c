/* SPDX-License-Identifier: Apache-2.0 */
/* Writes to PAT and EFER that AMD's APM vol. 2 answers with #GP (7.8.1: a PAT field of a reserved
 * memory type or with reserved bits; 14.6.1: EFER.LME changed while paging is on), each next to one
 * the CPU takes: the guest must see the fault where a real CPU would, and its MSRs unchanged. */
#include "guest.h"

#define MSR_EFER 0xc0000080u
#define MSR_PAT 0x277u
#define EFER_LME (1ull << 8)
#define VECTOR_GP 13

static volatile unsigned faults;

void guest_trap(uint64_t vector, uint64_t error_code, struct trap_frame *frame)
{
	if (vector != VECTOR_GP)
		report_unexpected_trap(vector, error_code, frame);
	faults++;
	frame->rip += 2; /* past the WRMSR (0F 30) */
}

/* Writes and says whether it faulted and what the MSR holds after it. */
static void try(const char *what, uint32_t msr, uint64_t value)
{
	unsigned before = faults;
	wrmsr(msr, value);
	puts_uart("msrgp guest: ");
	puts_uart(what);
	puts_uart(faults != before ? ": #GP, now " : ": taken, now ");
	put_hex(rdmsr(msr));
	putc_uart('\n');
}

void guest_main(uint64_t arg)
{
	(void)arg;
	uint64_t pat = rdmsr(MSR_PAT), efer = rdmsr(MSR_EFER);
	try("PAT with write-back and UC- fields", MSR_PAT, 0x0007060600070606ull);
	try("PAT with a field of type 2", MSR_PAT, 0x0007060600070206ull);
	try("PAT with a reserved bit in a field", MSR_PAT, 0x0007060600070646ull);
	wrmsr(MSR_PAT, pat);
	try("EFER with LME cleared while paging is on", MSR_EFER, efer & ~EFER_LME);
	try("EFER as it was", MSR_EFER, efer);
	puts_uart("msrgp guest: ");
	put_dec(faults);
	puts_uart(" faults\n");
	system_off();
}
