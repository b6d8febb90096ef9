/* SPDX-License-Identifier: Apache-2.0 */
/* x86_64 (AMD SVM) parts of the VM and vCPU objects (arch/vm.h). A vCPU owns a VMCB (APM vol. 2,
 * appendix B) holding the guest's segment, control and system state plus RAX/RSP/RIP/RFLAGS; the
 * other general registers are saved by svm_run.S into regs[], indexed in the instruction encoding's
 * order (rax = 0, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8 .. r15), so a decoded ModRM register number
 * indexes it directly. regs[0] and regs[4] are copied from/to the VMCB around each run. */
#ifndef ARCH_IMPL_VM_H
#define ARCH_IMPL_VM_H

#include "lib/types.h"
#include "virt_impl/insn_decode.h"
#include "virt_impl/guest_boot.h"

struct vmcb;
struct vlapic;

enum x86_reg {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
};

/* The second half of an instruction the core sees as two accesses (read-modify-write to MMIO,
 * xchg, string I/O repeats): arch_vcpu_run hands it out without entering the guest. */
struct pending_access {
	bool active;
	bool is_pio;
	uint64_t address;
	unsigned width;
	uint64_t value;
};

/* One exit as it came back from VMRUN, kept for the report of a triple fault (vcpu.c). */
struct svm_exit_record {
	uint64_t code, rip, info1, info2;
	uint64_t exit_int_info;   /* an event whose delivery the exit interrupted */
	uint64_t injected;        /* EVENTINJ of the entry that ended in this exit */
	uint64_t int_ctl;         /* V_IRQ and its vector as the exit left them */
};

#define SVM_EXITS_RECORDED 8

/* The last 4-level walk of x86_guest_bytes_at (guest_walk.c): the page it found and, for each
 * level, where the entry lies in guest RAM and what it held. The same CR3 and the same entries
 * give the same translation, so re-reading them stands in for the walk: no stale translation is
 * ever used (a guest that changed an entry changed what is compared). */
struct x86_walk_memo {
	uint64_t cr3;
	uint64_t linear_page;        /* linear address >> 12, with 1 added: 0 = nothing remembered */
	const uint64_t *entry[4];    /* in guest RAM (its regions stay put while the vCPU runs) */
	uint64_t value[4];
	unsigned levels;
	const uint8_t *page;         /* the 4 KiB page's bytes in guest RAM */
};

struct vcpu_arch {
	uint64_t regs[16];        /* first: svm_run.S stores through this pointer */
	struct vmcb *vmcb;
	paddr_t vmcb_pa;
	paddr_t host_vmcb_pa;     /* the host-state VMCB of the CPU it is loaded on (arch_vcpu_load) */
	unsigned last_cpu;        /* the physical CPU it last ran on (+1; 0 = never) */
	unsigned tag;             /* unique per start: which guest context a CPU's TLB holds */
	uint64_t tlb_generation;  /* the VM's NPT generation this vCPU's TLB entries belong to */
	uint32_t in_guest;        /* between the generation check and the exit (npt.c waits on it) */
	/* What the last exit needs to complete. */
	uint64_t next_rip;        /* where the guest resumes once the exit is handled */
	struct x86_insn insn;     /* the decoded instruction of an MMIO exit */
	struct x86_decode_memo decode_memo; /* the last one decode_npf decoded (insn_decode.h) */
	uint64_t accesses_fused;  /* MMIO accesses carried out in the exit of the one before */
	uint64_t ports_fused;     /* port reads carried out in the exit of the write before */
	uint64_t unfused_rip;     /* where the last instruction that could not be was (+1; 0 none) */
	bool mmio_string;         /* the access was one iteration of a (rep) movs/stos */
	bool mmio_rmw;            /* a read whose result feeds a write (and, or, xchg) */
	bool pio_string;
	bool done_in_place;       /* svm_hot_exit carried the exit out but the run loop must look */
	uint64_t exit_code;
	struct pending_access pending;
	bool shutdown;            /* the guest triple-faulted */
	bool started_by_sipi;
	struct vlapic *lapic;
	int offered_vector;       /* the vector offered through V_IRQ for this run, or -1 (read by
				   * other CPUs: vapic.c, request_locked) */
	uint64_t pvclock_msr, pvclock_wall_msr; /* guest_pvclock.c */
	uint64_t pv_eoi_msr;      /* guest_pv_eoi.c: the MSR as written */
	uint32_t *pv_eoi_area;    /* where its bit lives in guest RAM, NULL while it is off */
	bool pv_eoi_set;          /* the bit was set for this run (the exit looks at it) */
	bool pv_eoi_used;         /* the guest has ended an interrupt through it since its boot (logged) */
	void *fpu_area;           /* guest_fpu.c: x87/SSE/AVX state while the vCPU is not loaded */
	size_t fpu_area_bytes;
	uint64_t xcr0;            /* the guest's XCR0 while it is not loaded */
	/* The last exits that took the full path, oldest overwritten (report_shutdown). */
	struct svm_exit_record recent_exits[SVM_EXITS_RECORDED];
	unsigned recent_exits_next;
	struct x86_walk_memo walk_memo;
};

struct vm_arch {
	uint64_t *npt_root;       /* PML4 of the nested page tables */
	uint32_t asid;
	uint8_t *io_permission_map; /* per VM when it has passthrough ports, else NULL (all intercepted) */
	uint64_t tlb_generation;  /* bumped when a mapping is removed or changed */
	struct vioapic *ioapic;
	struct x86_platform *platform;
	bool pvclock_ready;       /* guest_pvclock.c: the VM's system time 0, once set */
	unsigned pvclock_log_lines; /* guest_pvclock.c: bad areas logged (vm_log_budget) */
	unsigned pv_eoi_log_lines;  /* guest_pv_eoi.c: the same for PV EOI */
	uint64_t pvclock_tsc0, pvclock_wall_ns;
	struct linux_boot linux_boot; /* set when the kernel is a Linux bzImage (linux_boot.c) */
};

#endif
