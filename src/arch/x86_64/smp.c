/* SPDX-License-Identifier: Apache-2.0 */
/* Starting application processors with INIT-SIPI-SIPI (Intel SDM vol. 3, 8.4.4.1 "Typical BSP
 * initialization sequence"; AMD APM vol. 2, 16.5) into the real-mode trampoline (ap_trampoline.S),
 * one CPU at a time: arch_cpu_start fills the trampoline's parameter block and waits until the new
 * CPU reports that it has taken its stack and index, so the next start can reuse the block. */
#include "arch_impl/lapic.h"
#include "arch_impl/msr.h"
#include "arch_impl/setup.h"
#include "arch_impl/trampoline.h"
#include "arch_impl/vectors.h"
#include "arch/boot.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "lib/errno.h"
#include "lib/string.h"

#define INIT_DEASSERT_WAIT_US 10000 /* SDM: 10 ms after INIT */
#define SIPI_WAIT_US 200            /* SDM: 200 us between the STARTUP IPIs */
#define ARRIVAL_TIMEOUT_US 2000000  /* generous: QEMU without KVM is slow to start a vCPU */

static uint32_t apic_ids[MAX_CPUS];
static volatile uint32_t arrived_cpu = ~0u;
/* The TSC check (see check_tsc): the boot CPU's TSC, republished while it waits, and the new
 * CPU's TSC when it arrives. */
static volatile uint64_t boot_cpu_tsc, arriving_cpu_tsc;
static volatile int64_t arriving_cpu_behind;

void x86_smp_record_apic_ids(const struct boot_info *info)
{
	for (unsigned i = 0; i < info->cpu_count && i < MAX_CPUS; i++)
		apic_ids[i] = (uint32_t)info->cpu_hwids[i];
}

static struct ap_trampoline_params *trampoline_params(void)
{
	/* cppcheck-suppress comparePointers ; both are labels in ap_trampoline.S's one block of code */
	uintptr_t offset = (uintptr_t)(x86_ap_trampoline_params - x86_ap_trampoline_start);
	return (struct ap_trampoline_params *)(uintptr_t)(AP_TRAMPOLINE_BASE + offset);
}

static bool wait_for_arrival(unsigned cpu_index, uint64_t timeout_us)
{
	uint64_t step_us = 10;
	for (uint64_t waited = 0; waited < timeout_us; waited += step_us) {
		__atomic_store_n(&boot_cpu_tsc, rdtsc(), __ATOMIC_RELEASE);
		if (__atomic_load_n(&arrived_cpu, __ATOMIC_ACQUIRE) == cpu_index)
			return true;
		x86_delay_us(step_us);
	}
	return __atomic_load_n(&arrived_cpu, __ATOMIC_ACQUIRE) == cpu_index;
}

/* arch_timer_now() must be one clock on all CPUs. Nothing here writes the TSC, and CPUs leave reset
 * together, but firmware may have written it. A cheap causality check catches that: a value read
 * before another in real time must not be larger. The new CPU compares its TSC with one the boot
 * CPU published earlier (the new CPU is behind if it is smaller); the boot CPU compares the new
 * CPU's arrival TSC with its own, read afterwards (the new CPU is ahead if it is larger). */
static void check_tsc(unsigned cpu_index)
{
	uint64_t now = rdtsc();
	uint64_t arrival = __atomic_load_n(&arriving_cpu_tsc, __ATOMIC_ACQUIRE);
	if (arriving_cpu_behind > 0)
		log_warn("CPU %u's TSC is at least %ld ticks behind CPU 0's: timestamps across CPUs disagree",
			 cpu_index, (long)arriving_cpu_behind);
	if (arrival > now)
		log_warn("CPU %u's TSC is at least %lu ticks ahead of CPU 0's: timestamps across CPUs disagree",
			 cpu_index, (unsigned long)(arrival - now));
}

int arch_cpu_start(unsigned cpu_index, uint64_t hwid, uintptr_t stack_top)
{
	if (cpu_index == 0 || cpu_index >= MAX_CPUS || hwid > 0xfe)
		return -EINVAL;

	/* cppcheck-suppress comparePointers ; both are labels in ap_trampoline.S's one block of code */
	size_t trampoline_size = (size_t)(x86_ap_trampoline_end - x86_ap_trampoline_start);
	memcpy((void *)(uintptr_t)AP_TRAMPOLINE_BASE, x86_ap_trampoline_start, trampoline_size);
	struct ap_trampoline_params *params = trampoline_params();
	params->cr3 = read_cr3();
	params->stack_top = stack_top;
	params->cpu_index = cpu_index;
	params->entry = (uint64_t)(uintptr_t)x86_secondary_main;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	uint32_t apic_id = (uint32_t)hwid;
	lapic_send_icr(apic_id, LAPIC_ICR_INIT | LAPIC_ICR_ASSERT | LAPIC_ICR_LEVEL);
	x86_delay_us(INIT_DEASSERT_WAIT_US);
	uint32_t startup = LAPIC_ICR_STARTUP | (AP_TRAMPOLINE_BASE >> 12);
	lapic_send_icr(apic_id, startup);
	if (!wait_for_arrival(cpu_index, SIPI_WAIT_US)) {
		/* A CPU already past the first SIPI ignores the second (SDM vol. 3, 8.4.4.1). */
		lapic_send_icr(apic_id, startup);
		if (!wait_for_arrival(cpu_index, ARRIVAL_TIMEOUT_US)) {
			log_error("CPU %u (APIC id %u) did not start", cpu_index, apic_id);
			return -ETIMEDOUT;
		}
	}
	check_tsc(cpu_index);
	return 0;
}

__noreturn void x86_secondary_main(unsigned cpu_index)
{
	x86_gdt_init_cpu(cpu_index);
	x86_idt_load();
	arch_set_this_cpu(percpu_of(cpu_index));
	x86_lapic_setup();
	arch_mmu_init_secondary();
	uint64_t published = __atomic_load_n(&boot_cpu_tsc, __ATOMIC_ACQUIRE);
	uint64_t now = rdtsc();
	arriving_cpu_behind = now < published ? (int64_t)(published - now) : 0;
	arriving_cpu_tsc = rdtsc();
	/* The stack and index are in registers now: the boot CPU may reuse the parameter block. */
	__atomic_store_n(&arrived_cpu, cpu_index, __ATOMIC_RELEASE);
	kernel_secondary_main(cpu_index);
}

void arch_send_ipi(unsigned cpu_index)
{
	if (cpu_index >= MAX_CPUS)
		return;
	lapic_send_icr(apic_ids[cpu_index], LAPIC_ICR_FIXED | VECTOR_IPI_RESCHEDULE);
}
