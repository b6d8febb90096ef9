/* SPDX-License-Identifier: Apache-2.0 */
/* aarch64 parts of the VM and vCPU objects (arch/vm.h). The guest's general registers, PC and
 * PSTATE are saved by the exit path (guest.S) at the offsets below; EL1 system registers, FP/SIMD
 * and the virtual timer move only when the vCPU's task leaves or regains a CPU (load/put). */
#ifndef ARCH_IMPL_VM_H
#define ARCH_IMPL_VM_H

#define GUEST_REGS_X19 152
#define GUEST_REGS_PC 248
#define GUEST_REGS_PSTATE 256
/* struct vcpu_arch.vtimer_fast, right after the registers, and its fields (guest.S). */
#define GUEST_VTIMER_FAST 264
#define VTIMER_FAST_LR 0
#define VTIMER_FAST_LR_VALUE 8
#define VTIMER_FAST_EXITS_IRQ 16
#define VTIMER_FAST_EXITS_TOTAL 24
#define VTIMER_FAST_GICV2_GICC 32
#define VTIMER_FAST_GICV2_DIR 40
#define VTIMER_FAST_GICV2_GICH 48
/* percpu.arch_scratch[2]: an interrupt guest_irq_exit acknowledged and left to the C path, as the
 * chip's claim would have returned it, with bit 32 set (0: none). */
#define PERCPU_HANDED_IRQ 16
#define GUEST_VTIMER_INTID 27 /* VGIC_VTIMER_INTID, for guest.S */

#ifndef __ASSEMBLY__
#include "lib/types.h"
#include "virt_impl/vgic.h"
#include "kernel/timer_queue.h"

struct vm_exit;

struct guest_regs {
	uint64_t x[31];
	uint64_t pc;     /* ELR_EL2 */
	uint64_t pstate; /* SPSR_EL2 */
};

/* EL1 state a guest owns (Arm ARM D13.2 / D19.2 register descriptions). */
struct guest_el1_state {
	uint64_t sctlr, cpacr, ttbr0, ttbr1, tcr, mair, amair, vbar, contextidr;
	uint64_t tpidr_el0, tpidrro_el0, tpidr_el1, sp_el0, sp_el1, elr_el1, spsr_el1;
	uint64_t esr, far, afsr0, afsr1, par, cntkctl, csselr;
	uint64_t cntv_ctl, cntv_cval, cntp_ctl, cntp_cval;
};

struct guest_fp_state {
	uint64_t q[64]; /* v0-v31, 128 bits each */
	uint64_t fpsr, fpcr;
};

/* What guest_irq_exit (guest.S) needs to inject the virtual timer's interrupt again without
 * leaving assembly: the list register that has held it since its last injection in this run (the
 * C path's, vgic_lr.c) and the value that makes it pending again, in the host GIC's own format.
 * lr is -1 whenever the model, not that register, is the truth: before the first injection, after
 * every read-back of the list registers (vgic_sync_lrs), and once a write to the vCPU's private
 * interrupts' registers (enable, priority, ...) may have changed what the injection would be. */
struct vtimer_fast {
	int64_t lr;
	uint64_t lr_value;
	uint64_t *exits_irq, *exits_total; /* the vCPU's counters, as vcpu_count_exit keeps them */
	/* 0 on a GICv3 host (its system registers); on a GICv2 host its CPU interface, GICC_DIR and
	 * virtual interface control frame (GICH). */
	uintptr_t gicv2_gicc, gicv2_dir, gicv2_gich;
};

struct vcpu_arch {
	struct guest_regs regs;  /* first: guest.S addresses it through the per-CPU scratch word */
	struct vtimer_fast vtimer_fast; /* second: guest.S reads it there too */
	struct guest_el1_state el1;
	struct guest_fp_state fp;
	uint64_t vmpidr;
	uint64_t hcr;
	/* The syndrome of the last exit, for completing or faulting it. */
	uint64_t esr, far, hpfar;
	unsigned pc_advance;    /* bytes to step past the trapping instruction */
	/* An access decoded without syndrome that writes its base back (vcpu_no_syndrome.c): the
	 * register (31: the guest's SP) gets the value once the access completes. */
	bool writeback;
	unsigned writeback_reg;
	uint64_t writeback_value;
	struct vm_exit *exit;   /* where the exit path reports an exit for the run loop */
	bool call_answered;     /* guest_call_in_place answered the exit's call: nothing left to do */
	bool loaded;
	struct vgic_cpu vgic;
	uint64_t cntvoff;        /* CNTVOFF_EL2: the guest's virtual time is the host's minus this */
	struct timer_event vtimer_wakeup; /* the guest's timers while the vCPU is off its CPU */
	struct timer_event ptimer_wakeup;
};

struct vm_arch {
	uint64_t *stage2_root;  /* level-1 table of the stage-2 translation */
	uint64_t vttbr;         /* root | VMID << 48 */
	uint16_t vmid;
	unsigned ipa_bits;       /* guest-physical address size */
	unsigned start_level;    /* first level of the stage-2 walk: 0 or 1 */
	uint64_t vtcr;           /* VTCR_EL2 for this VM */
	struct vgic *vgic;      /* NULL: interrupt_mode = "no_irq" */
};

_Static_assert(__builtin_offsetof(struct guest_regs, x[19]) == GUEST_REGS_X19, "guest.S offsets");
_Static_assert(__builtin_offsetof(struct guest_regs, pc) == GUEST_REGS_PC, "guest.S offsets");
_Static_assert(__builtin_offsetof(struct guest_regs, pstate) == GUEST_REGS_PSTATE, "guest.S offsets");
_Static_assert(__builtin_offsetof(struct vcpu_arch, vtimer_fast) == GUEST_VTIMER_FAST, "guest.S offsets");
_Static_assert(GUEST_VTIMER_INTID == VGIC_VTIMER_INTID, "guest.S's timer INTID");
_Static_assert(__builtin_offsetof(struct vtimer_fast, lr) == VTIMER_FAST_LR, "guest.S offsets");
_Static_assert(__builtin_offsetof(struct vtimer_fast, lr_value) == VTIMER_FAST_LR_VALUE, "guest.S offsets");
_Static_assert(__builtin_offsetof(struct vtimer_fast, exits_irq) == VTIMER_FAST_EXITS_IRQ, "guest.S offsets");
_Static_assert(__builtin_offsetof(struct vtimer_fast, exits_total) == VTIMER_FAST_EXITS_TOTAL, "guest.S offsets");
_Static_assert(__builtin_offsetof(struct vtimer_fast, gicv2_gicc) == VTIMER_FAST_GICV2_GICC, "guest.S offsets");
_Static_assert(__builtin_offsetof(struct vtimer_fast, gicv2_dir) == VTIMER_FAST_GICV2_DIR, "guest.S offsets");
_Static_assert(__builtin_offsetof(struct vtimer_fast, gicv2_gich) == VTIMER_FAST_GICV2_GICH, "guest.S offsets");
#endif

#endif
