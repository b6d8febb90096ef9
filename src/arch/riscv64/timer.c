/* SPDX-License-Identifier: Apache-2.0 */
/* The timer: the time CSR (privileged spec 20211203, unprivileged Zicntr "time", readable in
 * S-mode when M-mode sets mcounteren.TM) counts at /cpus "timebase-frequency" on every hart.
 * One-shot deadlines use stimecmp when Sstc is usable (Sstc 1.0: STIP is set while
 * time >= stimecmp) and SBI TIME set_timer (SBI v1.0.0, 6.1) otherwise. The interrupt is the
 * supervisor timer interrupt, cause 5; trap.c calls timer_interrupt(). */
#include "arch/timer.h"
#include "arch_impl/csr.h"
#include "arch_impl/riscv.h"
#include "arch_impl/sbi.h"
#include "kernel/log.h"
#include "lib/fdt.h"

#define CSR_STIMECMP 0x14d
#define DEFAULT_TIMEBASE_HZ 10000000 /* QEMU virt's; used only if the tree lacks the property */

static uint64_t timebase_hz;
static bool timebase_from_tree;

void riscv_timer_init(const void *fdt)
{
	int cpus = fdt_path_offset(fdt, "/cpus");
	uint32_t hz = cpus >= 0 ? fdt_getprop_u32(fdt, cpus, "timebase-frequency", 0) : 0;
	timebase_from_tree = hz != 0;
	timebase_hz = hz ? hz : DEFAULT_TIMEBASE_HZ;
}

uint64_t arch_timer_now(void)
{
	return csr_read(time);
}

uint64_t arch_timer_frequency(void)
{
	return timebase_hz;
}

static void write_stimecmp(uint64_t ticks)
{
	__asm__ __volatile__("csrw %0, %1" : : "i"(CSR_STIMECMP), "r"(ticks) : "memory");
}

void arch_timer_set_deadline(uint64_t ticks)
{
	if (riscv_has_sstc())
		write_stimecmp(ticks);
	else
		sbi_set_timer(ticks);
}

void arch_timer_stop(void)
{
	/* The farthest deadline: STIP drops and does not come back (Sstc 1.0; SBI 6.1). */
	arch_timer_set_deadline(UINT64_MAX);
}

void arch_timer_init_cpu(void)
{
	if (!timebase_from_tree && riscv_cpu_index() == 0)
		log_warn("/cpus has no timebase-frequency; assuming %lu Hz", (unsigned long)timebase_hz);
	arch_timer_stop();
	csr_set(sie, SIE_STIE);
}
