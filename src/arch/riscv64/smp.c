/* SPDX-License-Identifier: Apache-2.0 */
/* Secondary harts and IPIs. Secondaries wait in the SBI HSM STOPPED state until hart_start
 * (SBI v1.0.0, 9.1) sends them to secondary_entry (entry.S) with a1 = the opaque value, which
 * here is the target's struct percpu; its stack top is in its arch scratch words (firmware
 * without HSM: the hart spins in entry.S until its slot is written). The
 * reschedule IPI is an SBI IPI (7.1), which raises the target's supervisor software interrupt. */
#include "arch/boot.h"
#include "arch/cpu.h"
#include "arch_impl/csr.h"
#include "arch_impl/riscv.h"
#include "arch_impl/sbi.h"
#include "arch_impl/trap.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "lib/errno.h"

void secondary_entry(void);

#define SPINWAIT_HARTS 64 /* entry.S */
extern struct percpu *riscv_spinwait_percpu[SPINWAIT_HARTS];

/* Without HSM every hart entered _start at boot and the losers of the lottery poll their slot. */
static int release_spinning_hart(unsigned cpu_index, uint64_t hwid, struct percpu *cpu)
{
	if (hwid >= SPINWAIT_HARTS) {
		log_error("no SBI HSM and hart %lu (CPU %u) is beyond the spin-wait table",
			  (unsigned long)hwid, cpu_index);
		return -ENOTSUP;
	}
	__atomic_store_n(&riscv_spinwait_percpu[hwid], cpu, __ATOMIC_RELEASE);
	return 0;
}

int arch_cpu_start(unsigned cpu_index, uint64_t hwid, uintptr_t stack_top)
{
	if (cpu_index == 0 || cpu_index >= MAX_CPUS)
		return -EINVAL;
	struct percpu *cpu = percpu_of(cpu_index);
	cpu->hwid = hwid;
	cpu->arch_scratch[PERCPU_SCRATCH_STACK_TOP / 8] = stack_top;
	/* The stack pointer must be visible before the hart can run (hart_start orders nothing). */
	arch_memory_barrier();
	if (!sbi_get_info()->has_hsm)
		return release_spinning_hart(cpu_index, hwid, cpu);
	int err = sbi_hart_start(hwid, (unsigned long)(uintptr_t)secondary_entry,
				 (unsigned long)(uintptr_t)cpu);
	if (err)
		log_error("SBI HSM hart_start of hart %lu (CPU %u) failed: %d", (unsigned long)hwid,
			  cpu_index, err);
	return err;
}

/* Called by secondary_entry on the new stack with tp and sscratch already pointing at cpu. */
__noreturn void riscv_secondary_main(unsigned long hartid, struct percpu *cpu)
{
	unsigned index = (unsigned)(cpu - percpus);
	arch_mmu_init_secondary();
	kernel_secondary_main(index);
}

void arch_send_ipi(unsigned cpu_index)
{
	if (cpu_index >= MAX_CPUS)
		return;
	uint64_t hart = percpu_of(cpu_index)->hwid;
	int err = sbi_send_ipi_to_hart(hart);
	if (err)
		log_error("SBI IPI to hart %lu (CPU %u) failed: %d", (unsigned long)hart, cpu_index, err);
}
