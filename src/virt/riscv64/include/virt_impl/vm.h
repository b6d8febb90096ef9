/* SPDX-License-Identifier: Apache-2.0 */
/* riscv64 parts of the VM and vCPU objects (arch/vm.h). The guest runs in VS-mode (RISC-V
 * privileged spec 20211203, chapter 8). The exit path (guest_entry.S) saves the integer
 * registers, sepc and the guest's privilege (sstatus.SPP) at the offsets below; the VS CSRs, FP
 * state, hgatp and henvcfg move only when the vCPU's task leaves or regains a CPU (load/put). */
#ifndef ARCH_IMPL_VM_H
#define ARCH_IMPL_VM_H

#define GUEST_REGS_X(n) ((n) * 8)
#define GUEST_REGS_SEPC 256
#define GUEST_REGS_SPP 264      /* sstatus.SPP of the guest at its last exit: 1 = VS, 0 = VU */
#define PERCPU_SCRATCH_GUEST 24 /* struct percpu.arch_scratch[3]: the running guest's register block */
/* The guest registers guest_exit stores before it calls C (bit n: xn): zero, ra, sp, tp, t0-t2,
 * a0-a7, t3-t6. gp (x3) and s0-s11 (x8, x9, x18-x27) stay live in their registers while the exit
 * path's C code runs, and reach struct guest_regs only when the exit leaves to arch_vcpu_run. */
#define GUEST_REGS_SAVED_ON_EXIT 0xf003fcf7u

#ifndef __ASSEMBLY__
#include "lib/types.h"
#include "kernel/timer_queue.h"
#include "virt_impl/insn_decode.h"

struct vm_exit;

struct guest_regs {
	uint64_t x[32];   /* x[0] unused, always 0 (a store of x0 reads it) */
	uint64_t sepc;
	uint64_t spp;
};

/* The VS-mode CSRs a guest owns (8.2.x "virtual supervisor" registers). */
struct guest_vs_state {
	uint64_t vsstatus, vsie, vstvec, vsscratch, vsepc, vscause, vstval, vsatp;
	uint64_t vstimecmp;
	uint64_t henvcfg;
	uint64_t hvip;     /* what the guest left in hvip (its own VSSIP) */
};

struct guest_fp_state {
	uint64_t f[32];
	uint64_t fcsr;
};

struct vcpu_arch {
	struct guest_regs regs;  /* first: guest_entry.S reaches it through the per-CPU scratch word */
	struct guest_vs_state vs;
	struct guest_fp_state fp;
	uint64_t hstatus;
	/* The last exit's trap CSRs, for completing or faulting it. */
	uint64_t scause, stval, htval, htinst;
	unsigned pc_advance;     /* bytes to step past the trapping instruction (2 or 4) */
	/* The last instruction an MMIO exit on the exit path decoded (0: none), and its decoding. */
	uint32_t mmio_insn;
	struct riscv_mmio_access mmio_access;
	/* The exit arch_vcpu_run is filling, for the exit path (vcpu.c); and how far that got with
	 * it (enum guest_exit_state below: left to arch_vcpu_run, decoded for the core, or
	 * completed but to be resumed through guest_run). */
	struct vm_exit *exit;
	uint8_t exit_state;
	bool loaded;
	bool fp_dirty;
	/* Virtual interrupts other contexts raise (hvip bit positions: VSSIP 2, VSTIP 6, VSEIP 10):
	 * 'lines' are levels the hypervisor drives (VSEIP from the vPLIC, VSTIP from the emulated
	 * timer), 'soft' are VSSIP edges from IPIs, merged into hvip before each entry. */
	uint64_t irq_lines;
	uint64_t irq_soft;
	bool irq_update;         /* lines or soft changed since the last entry */
	bool in_guest;           /* between the entry and the exit: a kick interrupts it */
	bool fence_pending;      /* an SBI RFENCE from another vCPU: flush before entering */
	/* A waiting vCPU's wake-up at its timer deadline (vstimecmp or the SBI TIME deadline). */
	struct timer_event wake_timer;
	uint64_t sbi_deadline;   /* SBI set_timer without Sstc; UINT64_MAX when off */
	uint64_t htimedelta;     /* the guest's time minus the host's (moved back by a suspend) */
	/* The guest interrupt file of its hart that is this vCPU's (imsic_guest.c; 0: none, the VM
	 * has no IMSIC), that file's page, and whether its state is to be cleared at the next load. */
	unsigned imsic_file;
	uint64_t imsic_page;
	uint64_t imsic_vsiselect; /* the guest's siselect while it is put */
	bool imsic_reset;
	/* SBI HSM non-retentive suspend: where to resume when the wait ends. */
	bool resume_pending;
	uint64_t resume_addr, resume_opaque;
};

/* How far the exit path (riscv_guest_exit_sbi, _mmio, _other) got with an exit that it
 * did not resume the guest from (vcpu_arch.exit_state). */
enum guest_exit_state {
	GUEST_EXIT_UNDECODED, /* arch_vcpu_run decodes it (the trap CSRs are in vcpu_arch) */
	GUEST_EXIT_DECODED,   /* *exit is filled in for the core */
	GUEST_EXIT_COMPLETED, /* done (an MMIO access faulted into the guest, or a request for the
			       * core's loop arrived meanwhile): enter again through guest_run */
};

/* Where a vCPU's guest interrupt file is: file (1..GEILEN) of CPU cpu's hart (imsic_guest.c). */
struct riscv_imsic_file {
	uint16_t cpu, file;
};

struct vm_arch {
	uint64_t *gstage_root;   /* 16 KiB root of the Sv39x4 G-stage table */
	struct riscv_imsic_file *imsic_files; /* per vCPU, when the VM has an IMSIC; else NULL */
	uint64_t hgatp;          /* MODE | VMID | root PPN */
	uint16_t vmid;
};

_Static_assert(__builtin_offsetof(struct guest_regs, sepc) == GUEST_REGS_SEPC, "guest_entry.S offsets");
_Static_assert(__builtin_offsetof(struct guest_regs, x[17]) - __builtin_offsetof(struct guest_regs, x[10]) == 7 * 8,
	       "struct guest_sbi_call overlays x10..x17");
_Static_assert(__builtin_offsetof(struct guest_regs, spp) == GUEST_REGS_SPP, "guest_entry.S offsets");
#endif

#endif
