/* SPDX-License-Identifier: Apache-2.0 */
/* CPU control: the per-CPU pointer, idling, halting, powering off. */
#include "arch/boot.h"
#include "arch/cpu.h"
#include "lib/string.h"
#include "arch_impl/csr.h"
#include "arch_impl/riscv.h"
#include "arch_impl/sbi.h"
#include "kernel/log.h"
#include "kernel/percpu.h"

void arch_set_this_cpu(struct percpu *cpu)
{
	/* tp for C code, sscratch for the trap entry (see arch_impl/trap.h). */
	__asm__ __volatile__("mv tp, %0\n\tcsrw sscratch, %0" : : "r"(cpu) : "memory");
}

unsigned riscv_cpu_index(void)
{
	return (unsigned)(arch_this_cpu() - percpus);
}

void arch_cpu_idle(void)
{
	/* wfi resumes when an interrupt is pending and enabled in sie, whatever sstatus.SIE says
	 * (privileged spec 20211203, 3.3.3), so nothing that arrives between the caller's check and
	 * the wfi is lost. Opening sstatus.SIE for one instruction lets the trap be taken. */
	__asm__ __volatile__("wfi\n\t"
			     "csrsi sstatus, %0\n\t"
			     "csrci sstatus, %0"
			     : : "i"(SSTATUS_SIE) : "memory");
}

__noreturn void arch_cpu_halt(void)
{
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, 0);
	for (;;)
		__asm__ __volatile__("wfi");
}

void arch_cpu_late_init(unsigned cpu_index)
{
	/* The reschedule IPI arrives as a supervisor software interrupt (SBI v1.0.0, 7.1). */
	csr_clear(sip, SIE_SSIE);
	csr_set(sie, SIE_SSIE);
}

__noreturn void arch_power_off(void)
{
	csr_clear(sstatus, SSTATUS_SIE);
	sbi_system_off();
	log_error("SBI system reset (SRST) and legacy shutdown both failed; halting this CPU");
	arch_cpu_halt();
}

__noreturn void arch_reset(void)
{
	csr_clear(sstatus, SSTATUS_SIE);
	sbi_system_reboot();
	log_error("SBI system reset (SRST cold reboot) failed; halting this CPU");
	arch_cpu_halt();
}

__noreturn void riscv_early_fatal(const char *message)
{
	sbi_early_puts(message);
	sbi_system_off();
	arch_cpu_halt();
}

/* No block clear here (QEMU 7.2 has no Zicboz): stores, 128 bytes a round against a precomputed
 * end, 18 instructions where memset's general loop takes 24. Guest RAM is cleared 2 MiB at a time
 * at its first touch (vmm/vm_memory.c), VM start-up included (bench/startup.sh). */
void arch_zero_memory(void *start, size_t size)
{
	if (((uintptr_t)start & 7) == 0 && size >= 128) {
		uint64_t *w = start, *end = w + size / 128 * 16;
		for (; w < end; w += 16) {
			w[0] = 0, w[1] = 0, w[2] = 0, w[3] = 0, w[4] = 0, w[5] = 0, w[6] = 0, w[7] = 0;
			w[8] = 0, w[9] = 0, w[10] = 0, w[11] = 0, w[12] = 0, w[13] = 0, w[14] = 0, w[15] = 0;
		}
		start = w;
		size %= 128;
	}
	memset(start, 0, size);
}
