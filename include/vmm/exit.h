/* SPDX-License-Identifier: Apache-2.0 */
/* The arch-neutral description of why a guest stopped running. Arch code decodes its own exit
 * (ESR_EL2, scause/htinst, VMCB EXITCODE) into one of these; the core handles it. */
#ifndef VMM_EXIT_H
#define VMM_EXIT_H

#include "lib/types.h"

/* What handling an exit, or one access on a device bus, came to: the one result of the arches'
 * exit paths (riscv64's SBI handlers included), vcpu_handle_exit, vcpu_mmio_in_place and the
 * device bus (vdev_access, vdev_bus_access). A device model's read and write return 0 or -errno,
 * which vdev_access maps to EXIT_HANDLED or EXIT_GUEST_FAULT. EXIT_HANDLED is 0, so assembly tests
 * "resume" with one branch on zero. (aarch64's and x86's quick exit paths return to their assembly
 * the registers to re-enter with, or NULL / false, instead.) */
enum vm_exit_result {
	EXIT_HANDLED = 0,   /* done: the guest resumes (past the instruction, once the exit is finished) */
	EXIT_UNCLAIMED,     /* not handled here: no device at the address (bus), or the exit goes on to
			     * the run loop (an exit path); nothing was done */
	EXIT_STOP_VCPU,     /* this vCPU leaves the guest (turned off, its VM stopping or resetting) */
	EXIT_GUEST_FAULT,   /* the guest gets the architected fault (data abort, access fault, #GP) */
};

enum vm_exit_reason {
	EXIT_NONE,          /* handled inside the arch (e.g. a sysreg trap): just run again */
	EXIT_MMIO,          /* a load or store to guest-physical memory that is not RAM */
	EXIT_PIO,           /* x86 port I/O */
	EXIT_HYPERCALL,     /* HVC/SMC, SBI extension call, VMMCALL that is not PSCI/SBI core */
	EXIT_CPU_ON,        /* PSCI CPU_ON, SBI HSM hart_start, INIT/SIPI */
	EXIT_CPU_OFF,       /* the calling vCPU stops */
	EXIT_HALT,          /* WFI, HLT, SBI suspend: wait for an interrupt */
	EXIT_SYSTEM_OFF,    /* the guest powers its machine off */
	EXIT_SYSTEM_RESET,  /* the guest reboots its machine */
	EXIT_IRQ,           /* a host interrupt arrived while the guest ran */
	EXIT_RAM,           /* an access to guest RAM not yet cleared and mapped (vm_ram_touch): the
			     * arch resumes at the same instruction once it is */
	EXIT_FAULT,         /* something no model accepts */
};

struct vm_exit_mmio {
	gpa_t gpa;
	unsigned width;     /* bytes: 1, 2, 4 or 8 */
	bool write;
	bool sign_extend;   /* for reads narrower than the register */
	unsigned reg;       /* the guest register to read into or write from (arch numbering) */
	uint64_t value;     /* written value, or the read result the handler fills */
};

/* What an emulated load puts in its register: the value read narrowed to width bytes (1, 2, 4 or
 * 8), then sign- or zero-extended to 64 bits. The arch narrows further for a smaller register (an
 * aarch64 W register, an x86 8/16/32-bit one). */
static inline uint64_t mmio_load_value(uint64_t value, unsigned width, bool sign_extend)
{
	unsigned shift = 64 - 8 * width;
	value <<= shift;
	return sign_extend ? (uint64_t)((int64_t)value >> shift) : value >> shift;
}

struct vm_exit_pio {
	uint16_t port;
	unsigned width;
	bool write;
	uint64_t value;
};

struct vm_exit_hypercall {
	uint64_t nr;
	uint64_t args[6];
	int64_t result;     /* returned to the guest */
};

struct vm_exit_cpu_on {
	uint64_t target;    /* the guest's id of the vCPU: MPIDR, hart id, APIC id */
	gpa_t entry;
	uint64_t context;   /* handed to the started vCPU (x0, a1) */
	int64_t result;     /* returned to the caller (PSCI/SBI error code) */
};

struct vm_exit_fault {
	uint64_t address;
	uint64_t cause;     /* arch syndrome */
	const char *what;
};

struct vm_exit {
	enum vm_exit_reason reason;
	union {
		struct vm_exit_mmio mmio;
		struct vm_exit_pio pio;
		struct vm_exit_hypercall hypercall;
		struct vm_exit_cpu_on cpu_on;
		struct vm_exit_fault fault;
		gpa_t ram_gpa;  /* EXIT_RAM */
	};
};

#endif
