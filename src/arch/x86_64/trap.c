/* SPDX-License-Identifier: Apache-2.0 */
/* Interrupt and exception dispatch, called by vectors.S with interrupts masked.
 * External interrupts: the LAPIC timer goes to timer_interrupt(), the reschedule IPI to
 * ipi_interrupt(), IOAPIC vectors to irq_handle(vector); then EOI, then a possible task switch
 * (sched_preempt_if_needed), still masked. Spurious LAPIC and 8259 vectors are ignored without
 * EOI (Intel SDM vol. 3, 10.9). An exception in the hypervisor is a hypervisor fault: every
 * register, the cause and the faulting address are printed (in the format the other arches use:
 * "Hypervisor exception on CPU n: ..."), then panic(). */
#include "arch_impl/trap.h"
#include "arch_impl/vectors.h"
#include "arch_impl/lapic.h"
#include "arch_impl/setup.h"
#include "arch/boot.h"
#include "kernel/console.h"
#include "kernel/irq.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/timer.h"
#include "lib/format.h"

/* AMD APM vol. 2, 8.2, table 8-1. */
static const char *const exception_names[VECTOR_EXCEPTION_COUNT] = {
	[0] = "#DE divide error",
	[1] = "#DB debug",
	[2] = "NMI",
	[3] = "#BP breakpoint",
	[4] = "#OF overflow",
	[5] = "#BR bound range",
	[6] = "#UD invalid opcode",
	[7] = "#NM device not available",
	[8] = "#DF double fault",
	[10] = "#TS invalid TSS",
	[11] = "#NP segment not present",
	[12] = "#SS stack fault",
	[13] = "#GP general protection",
	[14] = "#PF page fault",
	[16] = "#MF x87 floating point",
	[17] = "#AC alignment check",
	[18] = "#MC machine check",
	[19] = "#XF SIMD floating point",
	[21] = "#CP control protection",
	[28] = "#HV hypervisor injection",
	[29] = "#VC VMM communication",
	[30] = "#SX security",
};

/* Unlocked: the fault may have happened with the console lock held. */
static void fault_write(const char *s, size_t len)
{
	if (x86_kernel_started)
		console_write_unlocked(s, len);
	else
		x86_early_serial_write(s, len);
}

static void __printf_like(1, 2) fault_print(const char *fmt, ...)
{
	char line[160];
	va_list ap;
	va_start(ap, fmt);
	int len = format_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (len > (int)sizeof(line) - 1)
		len = sizeof(line) - 1;
	fault_write(line, (size_t)len);
}

/* #PF error code bits (APM vol. 2, 8.4.2). */
static void print_page_fault_cause(uint64_t error_code)
{
	fault_print("page fault: %s %s access, %s, %s mode%s\n",
		    (error_code & (1 << 4)) ? "instruction" : "data",
		    (error_code & (1 << 1)) ? "write" : "read",
		    (error_code & (1 << 0)) ? "protection violation" : "page not present",
		    (error_code & (1 << 2)) ? "user" : "supervisor",
		    (error_code & (1 << 3)) ? ", reserved bit set" : "");
}

static bool reporting[MAX_CPUS];

static __noreturn void hypervisor_fault(const struct trap_frame *f)
{
	unsigned vector = (unsigned)f->vector;
	unsigned cpu = this_cpu()->id;
	const char *name = exception_names[vector] ? exception_names[vector] : "reserved exception";
	uint64_t cr2 = read_cr2();
	if (cpu < MAX_CPUS) {
		if (reporting[cpu]) {
			/* The report itself faulted: say so without formatting and stop. */
			static const char message[] = "\nHypervisor exception while reporting one; powering off\n";
			fault_write(message, sizeof(message) - 1);
			arch_power_off();
		}
		reporting[cpu] = true;
	}
	fault_print("\nHypervisor exception on CPU %u: %s (vector %u), error code %#lx", cpu, name, vector,
		    f->error_code);
	if (vector == VECTOR_PAGE_FAULT) {
		fault_print(", address %#lx\n", cr2);
		print_page_fault_cause(f->error_code);
	} else {
		fault_print("\n");
	}
	fault_print("RIP 0x%016lx CS 0x%04lx RFLAGS 0x%08lx RSP 0x%016lx SS 0x%04lx\n", f->rip, f->cs,
		    f->rflags, f->rsp, f->ss);
	fault_print("RAX 0x%016lx  RBX 0x%016lx  RCX 0x%016lx  RDX 0x%016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
	fault_print("RSI 0x%016lx  RDI 0x%016lx  RBP 0x%016lx  R8  0x%016lx\n", f->rsi, f->rdi, f->rbp, f->r8);
	fault_print("R9  0x%016lx  R10 0x%016lx  R11 0x%016lx  R12 0x%016lx\n", f->r9, f->r10, f->r11, f->r12);
	fault_print("R13 0x%016lx  R14 0x%016lx  R15 0x%016lx\n", f->r13, f->r14, f->r15);
	fault_print("CR0 0x%016lx  CR2 0x%016lx  CR3 0x%016lx  CR4 0x%016lx\n", read_cr0(), cr2, read_cr3(),
		    read_cr4());
	if (vector == VECTOR_PAGE_FAULT)
		panic("hypervisor fault: %s at RIP %#lx, address %#lx", name, f->rip, cr2);
	panic("hypervisor fault: %s at RIP %#lx", name, f->rip);
}

static void lapic_error_interrupt(void)
{
	/* The ESR latches on a write (SDM vol. 3, 10.5.3). */
	lapic_write(LAPIC_ESR, 0);
	log_warn("local APIC error on CPU %u: ESR %#x", this_cpu()->id, lapic_read(LAPIC_ESR));
}

void x86_trap(struct trap_frame *frame)
{
	unsigned vector = (unsigned)frame->vector;

	/* The timer first: it is what wakes a halted vCPU for its guest's own timer, the path a
	 * guest's timer latency is measured on. */
	if (vector == VECTOR_TIMER) {
		timer_interrupt();
	} else {
		if (vector < VECTOR_EXCEPTION_COUNT)
			hypervisor_fault(frame);
		if (vector == VECTOR_SPURIOUS || (vector >= VECTOR_PIC_BASE && vector < VECTOR_PIC_LIMIT))
			return;
		if (vector == VECTOR_IPI_RESCHEDULE)
			ipi_interrupt();
		else if (vector == VECTOR_LAPIC_ERROR)
			lapic_error_interrupt();
		else
			irq_handle(vector);
	}
	/* EOI before a possible switch: the next task must not run with this vector in service. */
	lapic_eoi();
	sched_preempt_if_needed();
}
