/* SPDX-License-Identifier: Apache-2.0 */
/* The arch contract, boot part: what each arch's entry code hands to kernel_main, and the
 * hooks the kernel calls while it brings the machine up.
 *
 * Boot order: arch entry (stack, BSS, exception vectors, per-CPU pointer of CPU 0) fills a
 * struct boot_info and calls kernel_main(); secondaries enter kernel_secondary_main(). */
#ifndef ARCH_BOOT_H
#define ARCH_BOOT_H

#include "lib/types.h"
#include "kernel/platform.h"

/* Implemented by the kernel. */
__noreturn void kernel_main(struct boot_info *info);
__noreturn void kernel_secondary_main(unsigned cpu_index);

/* Implemented by each arch. */

/* Builds the hypervisor's own page tables (identity map: RAM as normal memory, everything else
 * the platform describes as device memory) and turns translation on for the boot CPU. Page-table
 * memory comes from frame_alloc(). */
__must_check int arch_mmu_init(const struct boot_info *info);
/* Turns the same translation on for a secondary CPU (called by it, early). */
void arch_mmu_init_secondary(void);
/* Maps a device window that arch_mmu_init did not cover (e.g. a high PCIe window). */
__must_check int arch_mmu_map_device(paddr_t base, uint64_t size);

/* Starts a secondary CPU identified by its hardware id (MPIDR, hart id, APIC id). It must enter
 * kernel_secondary_main(cpu_index) on the stack whose top is stack_top, with its per-CPU pointer
 * set to percpu_of(cpu_index). Returns 0 once the start was requested, or a negative error. */
__must_check int arch_cpu_start(unsigned cpu_index, uint64_t hwid, uintptr_t stack_top);

/* Sends the reschedule IPI to a CPU; the target's arch calls ipi_interrupt(). */
void arch_send_ipi(unsigned cpu_index);

/* Arch-specific late initialization on each CPU after the irqchip is up (e.g. registering the
 * IPI source). Called on every CPU, the boot CPU first. */
void arch_cpu_late_init(unsigned cpu_index);

/* Powers the machine off (PSCI SYSTEM_OFF, SBI SRST, ACPI S5) or resets it. */
__noreturn void arch_power_off(void);
__noreturn void arch_reset(void);

/* Prints the CPU's feature line for the banner and reports whether the virtualization extension is
 * present (EL2, H extension, SVM with NPT). Without it the kernel prints why and powers off. */
bool arch_virtualization_supported(const char **why);

#endif
