/* SPDX-License-Identifier: Apache-2.0 */
/* Hypervisor fault report: a synchronous exception taken in HS-mode that no fixup covers.
 * Prints every integer register with its psABI name, pc, scause (with its name from the
 * privileged spec 20211203, table 4.2 and the H extension, chapter 8), stval and sstatus, then
 * panics. Output is unlocked: the fault may have happened with the console lock held. */
#include "arch_impl/trap.h"
#include "arch_impl/csr.h"
#include "arch_impl/riscv.h"
#include "kernel/console.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "lib/format.h"
#include "lib/string.h"

/* Inline names, not pointers to them: a table of pointers costs more than the names. */
static const char register_names[32][5] = {
	"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
	"a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static const char *exception_name(unsigned long cause)
{
	switch (cause) {
	case EXC_INST_MISALIGNED: return "instruction address misaligned";
	case EXC_INST_ACCESS: return "instruction access fault";
	case EXC_ILLEGAL_INSTRUCTION: return "illegal instruction";
	case EXC_BREAKPOINT: return "breakpoint";
	case EXC_LOAD_MISALIGNED: return "load address misaligned";
	case EXC_LOAD_ACCESS: return "load access fault";
	case EXC_STORE_MISALIGNED: return "store/AMO address misaligned";
	case EXC_STORE_ACCESS: return "store/AMO access fault";
	case EXC_ECALL_U: return "environment call from U-mode";
	case EXC_ECALL_S: return "environment call from HS-mode";
	case EXC_ECALL_VS: return "environment call from VS-mode";
	case EXC_INST_PAGE_FAULT: return "instruction page fault";
	case EXC_LOAD_PAGE_FAULT: return "load page fault";
	case EXC_STORE_PAGE_FAULT: return "store/AMO page fault";
	case EXC_INST_GUEST_PAGE_FAULT: return "instruction guest-page fault";
	case EXC_LOAD_GUEST_PAGE_FAULT: return "load guest-page fault";
	case EXC_VIRTUAL_INSTRUCTION: return "virtual instruction";
	case EXC_STORE_GUEST_PAGE_FAULT: return "store/AMO guest-page fault";
	default: return "unknown exception";
	}
}

static void print_line(const char *fmt, ...) __printf_like(1, 2);
static void print_line(const char *fmt, ...)
{
	char line[160];
	va_list ap;
	va_start(ap, fmt);
	int n = format_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	console_write_unlocked(line, MIN((size_t)n, sizeof(line) - 1));
}

static bool reporting[MAX_CPUS];

__noreturn void riscv_report_fault(const struct trap_frame *frame)
{
	unsigned cpu = riscv_cpu_index();
	if (cpu < MAX_CPUS) {
		if (reporting[cpu])
			riscv_early_fatal("tessera: fault while reporting a fault; powering off\n");
		reporting[cpu] = true;
	}
	const char *what = exception_name(frame->scause);
	print_line("\nHypervisor exception on CPU %u: %s, scause %#lx, stval %#lx\n", cpu, what,
		   (unsigned long)frame->scause, (unsigned long)frame->stval);
	print_line("sepc 0x%016lx sstatus 0x%016lx\n", (unsigned long)frame->sepc,
		   (unsigned long)frame->sstatus);
	for (unsigned i = 0; i < 32; i += 4) {
		print_line("%-4s 0x%016lx  %-4s 0x%016lx  %-4s 0x%016lx  %-4s 0x%016lx\n", register_names[i],
			   (unsigned long)frame->x[i], register_names[i + 1], (unsigned long)frame->x[i + 1],
			   register_names[i + 2], (unsigned long)frame->x[i + 2], register_names[i + 3],
			   (unsigned long)frame->x[i + 3]);
	}
	panic("hypervisor fault: %s at pc %#lx, address %#lx", what, (unsigned long)frame->sepc,
	      (unsigned long)frame->stval);
}
