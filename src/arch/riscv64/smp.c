/* SPDX-License-Identifier: Apache-2.0 */
/* Secondary harts and IPIs. Secondaries wait in the SBI HSM STOPPED state until hart_start
 * (SBI v1.0.0, 9.1) sends them to secondary_entry (entry.S) with a1 = the opaque value, which
 * here is the target's struct percpu; its stack top is in its arch scratch words (firmware
 * without HSM: the hart spins in entry.S until its slot is written; its slot is written with HSM
 * too, see arch_cpu_start). The reschedule IPI is an SBI IPI (7.1), which raises the target's
 * supervisor software interrupt. */
#include "arch/boot.h"
#include "arch/cpu.h"
#include "arch_impl/csr.h"
#include "arch_impl/riscv.h"
#include "arch_impl/sbi.h"
#include "arch_impl/trap.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/timer.h"
#include "arch/timer.h"
#include "lib/errno.h"

void secondary_entry(void);

#define SPINWAIT_HARTS 64 /* entry.S */
extern struct percpu *riscv_spinwait_percpu[SPINWAIT_HARTS];

/* Releases hart `hwid` from entry.S's spin loop, where the losers of the boot lottery wait for
 * their slot: every secondary without HSM, and a hart OpenSBI 1.1 sends to _start (arch_cpu_start).
 * False if the hart is beyond the table. */
static bool release_spinning_hart(uint64_t hwid, struct percpu *cpu)
{
	if (hwid >= SPINWAIT_HARTS)
		return false;
	__atomic_store_n(&riscv_spinwait_percpu[hwid], cpu, __ATOMIC_RELEASE);
	return true;
}

#define WARN_AFTER_NS 200000000ULL /* 0.2 s: a hart comes online in milliseconds */

/* A hart not up after a while is named in the log with what HSM reports for it (kernel/main.c
 * gives up at 10 s). This line found OpenSBI 1.1's start race (arch_cpu_start): the hart
 * STARTED (HSM status 0) and spinning in entry.S's lottery loop. */
static void warn_if_slow(unsigned cpu_index, uint64_t hwid, const struct percpu *cpu)
{
	uint64_t deadline = arch_timer_now() + timer_ns_to_ticks(WARN_AFTER_NS);
	while (!__atomic_load_n(&cpu->online, __ATOMIC_ACQUIRE)) {
		if (arch_timer_now() > deadline) {
			log_warn("hart %lu (CPU %u) not up 0.2 s after hart_start (HSM status %d)",
				 (unsigned long)hwid, cpu_index, sbi_hart_status(hwid));
			return;
		}
		arch_cpu_relax();
	}
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
	if (!sbi_get_info()->has_hsm) {
		if (release_spinning_hart(hwid, cpu))
			return 0;
		log_error("no SBI HSM and hart %lu (CPU %u) is beyond the spin-wait table", (unsigned long)hwid,
			  cpu_index);
		return -ENOTSUP;
	}
	/* OpenSBI 1.1 (QEMU 7.2's -bios default) marks the hart START_PENDING before it stores the
	 * start address, and the hart, out of its WFI for any reason, may see the state first and
	 * leave for the address it had at boot: the firmware's jump address, our _start (fixed in
	 * OpenSBI 1.3, e8e9ed37 "Set the state of a hart to START_PENDING after the hart is ready").
	 * There it loses the boot lottery and spins on its slot: writing the slot too sends it on to
	 * secondary_entry as hart_start would have (seen in 5 of 150 boots of a loaded machine, each
	 * a CPU that never came online before). */
	(void)release_spinning_hart(hwid, cpu);
	int err = sbi_hart_start(hwid, (unsigned long)(uintptr_t)secondary_entry,
				 (unsigned long)(uintptr_t)cpu);
	if (err) {
		log_error("SBI HSM hart_start of hart %lu (CPU %u) failed: %d", (unsigned long)hwid,
			  cpu_index, err);
		return err;
	}
	warn_if_slow(cpu_index, hwid, cpu);
	return 0;
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
