/* SPDX-License-Identifier: Apache-2.0 */
/* aarch64 vCPUs: reset state, loading and saving the EL1 context, running the guest and turning
 * ESR_EL2 syndromes into arch-neutral exits (Arm ARM D13.2.37 ESR_EL2, D1.10.4 exception return
 * addresses). */
#include "arch/cpu.h"
#include "virt/arch_vm.h"
#include "virt_impl/guest_psci.h"
#include "virt_impl/esr.h"
#include "virt_impl/no_syndrome.h"
#include "arch_impl/sysreg.h"
#include "virt_impl/vgic.h"
#include "kernel/irq.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "vmm/vcpu.h"
#include "kernel/timer.h"
#include "vmm/vcpu_exit.h"
#include "vmm/vm.h"

/* HCR_EL2 while a guest runs (D19.2.49): stage 2 on (VM), set/way cache ops upgraded (SWIO),
 * physical IRQ/FIQ/SError to EL2 (IMO, FMO, AMO), WFI/WFE trapped (TWI, TWE), SMC trapped (TSC),
 * EL1 is AArch64 (RW). */
#define HCR_GUEST ((1ULL << 0) | (1ULL << 1) | (1ULL << 3) | (1ULL << 4) | (1ULL << 5) | (1ULL << 13) | \
		   (1ULL << 14) | (1ULL << 19) | (1ULL << 31))
#define SCTLR_EL1_RESET 0x30d00800ULL /* RES1 bits, MMU and caches off (D19.2.118) */
#define PSTATE_EL1H_MASKED 0x3c5ULL   /* EL1h, D, A, I, F masked */
#define MPIDR_RES1 (1ULL << 31)

#define ESR_EC(esr) ((esr) >> 26)
#define ESR_IL (1ULL << 25)
#define EC_UNKNOWN 0x00
#define EC_WFX 0x01
#define EC_HVC64 0x16
#define EC_SMC64 0x17
#define EC_SYSREG 0x18
#define EC_IABT_LOW 0x20
#define EC_IABT_CUR 0x21
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25

#define VECTOR_LOWER_SYNC 8
#define VECTOR_LOWER_IRQ 9
#define VECTOR_LOWER_FIQ 10
#define VECTOR_LOWER_SERROR 11

unsigned guest_run(struct guest_regs *regs);
void guest_fp_save(struct guest_fp_state *fp);
void guest_fp_restore(const struct guest_fp_state *fp);
void vtimer_load(struct vcpu *vcpu);
void vtimer_put(struct vcpu *vcpu);
/* The vCPU's CNTVOFF changed while it was off its CPU: its virtual timer's event moves with it. */
void vtimer_shifted(struct vcpu *vcpu);

uint64_t arch_vcpu_guest_id(unsigned vcpu_index)
{
	/* Aff0 = the vCPU index, in clusters of 16 as GICv3's SGI target lists expect. */
	return ((uint64_t)(vcpu_index / 16) << 8) | (vcpu_index % 16);
}

/* The virtual counter and timer follow CNTVOFF_EL2 (Arm ARM D11.2.4): the guest's time and its
 * virtual timer's compare value both stay where they were. The physical ones cannot be offset
 * (no FEAT_ECV here): a guest on CNTPCT sees the pause. */
void arch_vcpu_shift_clock(struct vcpu *vcpu, uint64_t ticks)
{
	vcpu->arch.cntvoff += ticks;
	vtimer_shifted(vcpu);
}

void arch_vcpu_free(struct vcpu *vcpu)
{
	/* Its state lives in struct vcpu_arch; only the timers' wake-up events may still be queued. */
	timer_cancel(&vcpu->arch.vtimer_wakeup);
	timer_cancel(&vcpu->arch.ptimer_wakeup);
}

int arch_vcpu_init(struct vcpu *vcpu, gpa_t entry, uint64_t arg)
{
	struct vcpu_arch *a = &vcpu->arch;
	*a = (struct vcpu_arch){ 0 };
	a->regs.x[0] = arg;
	a->regs.pc = entry;
	a->regs.pstate = PSTATE_EL1H_MASKED;
	a->el1.sctlr = SCTLR_EL1_RESET;
	a->cntvoff = 0;
	a->vmpidr = MPIDR_RES1 | vcpu->guest_id;
	a->hcr = HCR_GUEST;
	a->vtimer_fast = (struct vtimer_fast){ .lr = -1, .exits_irq = &vcpu->exits[EXIT_IRQ],
					       .exits_total = &vcpu->exits_total };
	return 0;
}

void arch_vcpu_load(struct vcpu *vcpu)
{
	struct vcpu_arch *a = &vcpu->arch;
	const struct guest_el1_state *s = &a->el1;
	vgic_init_this_cpu();
	write_sysreg(vtcr_el2, vcpu->vm->arch.vtcr);
	write_sysreg(vttbr_el2, vcpu->vm->arch.vttbr);
	write_sysreg(hcr_el2, a->hcr);
	write_sysreg(vmpidr_el2, a->vmpidr);
	write_sysreg(sctlr_el1, s->sctlr);
	write_sysreg(cpacr_el1, s->cpacr);
	write_sysreg(ttbr0_el1, s->ttbr0);
	write_sysreg(ttbr1_el1, s->ttbr1);
	write_sysreg(tcr_el1, s->tcr);
	write_sysreg(mair_el1, s->mair);
	write_sysreg(amair_el1, s->amair);
	write_sysreg(vbar_el1, s->vbar);
	write_sysreg(contextidr_el1, s->contextidr);
	write_sysreg(tpidr_el0, s->tpidr_el0);
	write_sysreg(tpidrro_el0, s->tpidrro_el0);
	write_sysreg(tpidr_el1, s->tpidr_el1);
	write_sysreg(sp_el0, s->sp_el0);
	write_sysreg(sp_el1, s->sp_el1);
	write_sysreg(elr_el1, s->elr_el1);
	write_sysreg(spsr_el1, s->spsr_el1);
	write_sysreg(esr_el1, s->esr);
	write_sysreg(far_el1, s->far);
	write_sysreg(afsr0_el1, s->afsr0);
	write_sysreg(afsr1_el1, s->afsr1);
	write_sysreg(par_el1, s->par);
	write_sysreg(cntkctl_el1, s->cntkctl);
	write_sysreg(csselr_el1, s->csselr);
	write_sysreg(cntvoff_el2, a->cntvoff);
	write_sysreg(cntv_cval_el0, s->cntv_cval);
	write_sysreg(cntv_ctl_el0, s->cntv_ctl);
	write_sysreg(cntp_cval_el0, s->cntp_cval);
	write_sysreg(cntp_ctl_el0, s->cntp_ctl);
	guest_fp_restore(&a->fp);
	if (vcpu->vm->arch.vgic)
		vgic_load(vcpu);
	vtimer_load(vcpu);
	isb();
	a->loaded = true;
}

void arch_vcpu_put(struct vcpu *vcpu)
{
	struct vcpu_arch *a = &vcpu->arch;
	if (!a->loaded)
		return;
	struct guest_el1_state *s = &a->el1;
	s->sctlr = read_sysreg(sctlr_el1);
	s->cpacr = read_sysreg(cpacr_el1);
	s->ttbr0 = read_sysreg(ttbr0_el1);
	s->ttbr1 = read_sysreg(ttbr1_el1);
	s->tcr = read_sysreg(tcr_el1);
	s->mair = read_sysreg(mair_el1);
	s->amair = read_sysreg(amair_el1);
	s->vbar = read_sysreg(vbar_el1);
	s->contextidr = read_sysreg(contextidr_el1);
	s->tpidr_el0 = read_sysreg(tpidr_el0);
	s->tpidrro_el0 = read_sysreg(tpidrro_el0);
	s->tpidr_el1 = read_sysreg(tpidr_el1);
	s->sp_el0 = read_sysreg(sp_el0);
	s->sp_el1 = read_sysreg(sp_el1);
	s->elr_el1 = read_sysreg(elr_el1);
	s->spsr_el1 = read_sysreg(spsr_el1);
	s->esr = read_sysreg(esr_el1);
	s->far = read_sysreg(far_el1);
	s->afsr0 = read_sysreg(afsr0_el1);
	s->afsr1 = read_sysreg(afsr1_el1);
	s->par = read_sysreg(par_el1);
	s->cntkctl = read_sysreg(cntkctl_el1);
	s->csselr = read_sysreg(csselr_el1);
	s->cntv_ctl = read_sysreg(cntv_ctl_el0);
	s->cntv_cval = read_sysreg(cntv_cval_el0);
	s->cntp_ctl = read_sysreg(cntp_ctl_el0);
	s->cntp_cval = read_sysreg(cntp_cval_el0);
	/* The guest's timers must not fire on this CPU for someone else. */
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(cntp_ctl_el0, 0);
	vtimer_put(vcpu);
	if (vcpu->vm->arch.vgic)
		vgic_put(vcpu);
	guest_fp_save(&a->fp);
	/* Stage 2 off while the host runs other tasks: EL1 belongs to nobody then. */
	write_sysreg(hcr_el2, read_sysreg(hcr_el2) & ~1ULL);
	isb();
	a->loaded = false;
}

/* The IPA of a stage-2 abort: HPFAR_EL2.FIPA with FAR_EL2's page offset (D13.2.52). */
static inline gpa_t abort_ipa(uint64_t hpfar, uint64_t far)
{
	return ((hpfar & 0x00000ffffffffff0ULL) << 8) | (far & 0xfff);
}

/* An MMIO read's value into the register the ISS names, extended as the load would (SSE, SF). */
static inline void load_mmio_result(struct vcpu_arch *a, uint64_t esr, uint64_t value)
{
	unsigned reg = ISS_DABT_SRT(esr);
	if (reg == 31)
		return; /* XZR */
	value = mmio_load_value(value, 1u << ISS_DABT_SAS(esr), esr & ISS_DABT_SSE);
	if (!(esr & ISS_DABT_SF))
		value &= 0xffffffffULL; /* a W register: the upper half reads as zero */
	a->regs.x[reg] = value;
}

/* The one decoding of a data abort with a valid syndrome (ISV): the access width, direction and
 * register are in the ISS (D13.2.39), the address (abort_ipa) is gpa. The value written is not
 * read here: the register may not be saved yet. */
static inline struct vm_exit_mmio decode_data_abort(uint64_t esr, gpa_t gpa)
{
	return (struct vm_exit_mmio){
		.gpa = gpa,
		.width = 1u << ISS_DABT_SAS(esr),
		.write = (esr & ISS_DABT_WNR) != 0,
		.sign_extend = (esr & ISS_DABT_SSE) != 0,
		.reg = ISS_DABT_SRT(esr),
	};
}

/* ISS of a trapped MSR/MRS (D13.2.37, EC 0x18): Op0 [21:20], Op2 [19:17], Op1 [16:14],
 * CRn [13:10], Rt [9:5], CRm [4:1], direction [0] (1 = read). The guest's SGI registers trap
 * because HCR_EL2.IMO is set (IHI0069 12.1.8): ICC_SGI1R_EL1 is 3,0,c12,c11,5, ICC_ASGI1R_EL1
 * op2 6, ICC_SGI0R_EL1 op2 7. */
#define SYSREG_ISS(op0, op1, crn, crm, op2) \
	(((uint64_t)(op0) << 20) | ((uint64_t)(op2) << 17) | ((uint64_t)(op1) << 14) | ((uint64_t)(crn) << 10) | ((uint64_t)(crm) << 1))
#define SYSREG_ISS_MASK SYSREG_ISS(3, 7, 15, 15, 7)

static void decode_sysreg(struct vcpu *vcpu, uint64_t esr, struct vm_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	uint64_t reg = esr & SYSREG_ISS_MASK;
	unsigned rt = (unsigned)((esr >> 5) & 31);
	bool read = esr & 1;
	if (!read && vcpu->vm->arch.vgic &&
	    (reg == SYSREG_ISS(3, 0, 12, 11, 5) || reg == SYSREG_ISS(3, 0, 12, 11, 6) || reg == SYSREG_ISS(3, 0, 12, 11, 7))) {
		vgic_send_sgi(vcpu, rt == 31 ? 0 : a->regs.x[rt]);
		a->pc_advance = 4;
		exit->reason = EXIT_NONE;
		return;
	}
	exit->reason = EXIT_FAULT;
	exit->fault = (struct vm_exit_fault){ a->regs.pc, esr, "trapped system register access" };
}

static void decode_without_syndrome(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	struct vm_exit_mmio mmio = { .gpa = abort_ipa(a->hpfar, a->far) };
	const char *why = decode_abort_without_syndrome(vcpu, &mmio);
	if (why) {
		exit->reason = EXIT_FAULT;
		exit->fault = (struct vm_exit_fault){ mmio.gpa, a->esr, why };
		return;
	}
	exit->reason = EXIT_MMIO;
	exit->mmio = mmio;
}

/* A stage-2 abort in the VM's RAM (a data or instruction access, or the guest's own table walk,
 * S1PTW): a chunk not yet present (vm_ram_touch), the access to run again. mmio_in_place passed it
 * on: no device claims RAM. */
static bool ram_first_touch(struct vcpu *vcpu, struct vm_exit *exit)
{
	gpa_t gpa = abort_ipa(vcpu->arch.hpfar, vcpu->arch.far);
	if (!vm_gpa_in_lazy_ram(vcpu->vm, gpa))
		return false;
	exit->reason = EXIT_RAM;
	exit->ram_gpa = gpa;
	return true;
}

static void decode_sync(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	uint64_t esr = a->esr;
	a->pc_advance = 0;
	switch (ESR_EC(esr)) {
	case EC_WFX:
		a->pc_advance = 4;
		/* WFE is a spin-wait hint: give the CPU away if someone else wants it, nothing more. */
		exit->reason = (esr & 1) ? EXIT_NONE : EXIT_HALT;
		return;
	case EC_SMC64:
		a->pc_advance = 4; /* a trapped SMC returns to itself (D1.10.4) */
		guest_psci_or_hypercall(vcpu, exit);
		return;
	case EC_HVC64:
		guest_psci_or_hypercall(vcpu, exit); /* HVC returns past itself */
		return;
	case EC_DABT_LOW:
		if (ram_first_touch(vcpu, exit))
			return;
		/* Decoded into *exit by mmio_in_place, which every data abort meets first; one without
		 * syndrome only here, where every register it may name is saved. */
		a->pc_advance = 4;
		if (!(esr & ISS_DABT_ISV))
			decode_without_syndrome(vcpu, exit);
		return;
	case EC_IABT_LOW:
		if (ram_first_touch(vcpu, exit))
			return;
		exit->reason = EXIT_FAULT;
		exit->fault = (struct vm_exit_fault){ abort_ipa(a->hpfar, a->far), esr,
						      "instruction fetch outside guest memory" };
		return;
	case EC_SYSREG:
		decode_sysreg(vcpu, esr, exit);
		return;
	default:
		exit->reason = EXIT_FAULT;
		exit->fault = (struct vm_exit_fault){ a->regs.pc, esr, "unhandled exception class" };
		return;
	}
}

/* WFI and WFE trap only while another task waits for this CPU (HCR_EL2.TWI/TWE, D19.2.49). A vCPU
 * alone on its CPU waits in the guest itself: an interrupt for it (its timer's PPI, a kick IPI)
 * still reaches EL2 first because HCR_EL2.IMO routes physical IRQs here, and wakes the WFI. */
#define HCR_TRAP_WAIT ((1ULL << 13) | (1ULL << 14))

static void choose_wait_trapping(struct vcpu_arch *a)
{
	uint64_t hcr = sched_cpu_has_waiting_tasks() ? a->hcr | HCR_TRAP_WAIT : a->hcr & ~HCR_TRAP_WAIT;
	if (hcr != a->hcr) {
		a->hcr = hcr;
		write_sysreg(hcr_el2, hcr);
	}
}

/* The interrupt to handle: the one guest_irq_exit acknowledged and left to this path, as the
 * chip's claim would have returned it, else the chip's claim. */
static unsigned claim_in_place(const struct irqchip_ops *chip)
{
	uint64_t *handed = &this_cpu()->arch_scratch[PERCPU_HANDED_IRQ / 8];
	uint64_t irq = *handed;
	if (!irq)
		return chip->claim();
	*handed = 0;
	return (unsigned)irq;
}

/* A host interrupt taken while the guest ran that guest_irq_exit (guest.S) did not answer: handled
 * here rather than after the return to the run loop, so the guest's own timer interrupt (its first
 * since the list registers were last read back, which arms guest_irq_exit) costs one trip through
 * the vectors instead of a second one through the host's. Returns the registers to re-enter the
 * guest with when nothing is left for the scheduler, else NULL. */
static __attribute__((noinline)) struct guest_regs *irq_in_place(struct vcpu *vcpu)
{
	const struct irqchip_ops *chip = irq_chip();
	unsigned irq = claim_in_place(chip);
	if (vtimer_fire_in_place(vcpu, irq)) {
		/* The common case: the list registers need nothing more. */
		chip->complete(irq);
		vcpu_count_exit(vcpu, EXIT_IRQ);
		return &vcpu->arch.regs;
	}
	if (vgic_passthrough_in_place(vcpu, irq)) {
		/* A passed-through SPI of this vCPU's: left active for the guest to end. */
		this_cpu()->interrupts++;
		chip->drop_priority(irq);
		vcpu_count_exit(vcpu, EXIT_IRQ);
		return &vcpu->arch.regs;
	}
	bool idle = vgic_idle(&vcpu->arch.vgic);
	if (!idle)
		vgic_sync_lrs(vcpu);
	if (irq != IRQ_NONE) {
		irq_handle(irq);
		irq_end(irq);
	}
	irq_dispatch();
	if (this_cpu()->need_resched || __atomic_load_n(&vcpu->requests, __ATOMIC_ACQUIRE))
		return NULL;
	vcpu_count_exit(vcpu, EXIT_IRQ);
	if (!idle || !vgic_idle(&vcpu->arch.vgic))
		vgic_flush_lrs(vcpu);
	return &vcpu->arch.regs;
}

/* Handles what the exit path can finish without the run loop: calls answered in the arch and MMIO
 * to a device model. true: re-enter the guest. */
static bool finish_in_place(struct vcpu *vcpu, unsigned vector, struct vm_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	a->pc_advance = 0;
	if (vector == VECTOR_LOWER_IRQ || vector == VECTOR_LOWER_FIQ) {
		exit->reason = EXIT_IRQ;
		return false;
	}
	if (vector != VECTOR_LOWER_SYNC) {
		exit->reason = EXIT_FAULT;
		exit->fault = (struct vm_exit_fault){ a->regs.pc, read_sysreg(esr_el2),
						      vector == VECTOR_LOWER_SERROR ? "SError from the guest" : "AArch32 guest" };
		return false;
	}
	a->esr = read_sysreg(esr_el2);
	a->far = read_sysreg(far_el2);
	a->hpfar = read_sysreg(hpfar_el2);
	decode_sync(vcpu, exit);
	if (exit->reason == EXIT_NONE) {
		/* WFE still goes to the run loop: it is a hint to give the CPU away. */
		if (ESR_EC(a->esr) == EC_WFX)
			return false;
		vcpu_count_exit(vcpu, EXIT_NONE);
		a->regs.pc += a->pc_advance;
		return true;
	}
	if (exit->reason != EXIT_MMIO)
		return false;
	struct vm_exit_mmio *mmio = &exit->mmio;
	if (mmio->write)
		mmio->value = mmio->reg == 31 ? 0 : a->regs.x[mmio->reg];
	enum vm_exit_result result = vcpu_mmio_in_place(vcpu, mmio->gpa, mmio->width, mmio->write, &mmio->value);
	if (result == EXIT_HANDLED)
		arch_vcpu_finish_exit(vcpu, exit);
	else if (result == EXIT_GUEST_FAULT)
		arch_vcpu_inject_fault(vcpu, exit);
	return result != EXIT_UNCLAIMED;
}

/* A data abort mmio_in_place does not finish goes on in *vcpu->arch.exit, decoded here: the full
 * path (decode_sync) does not decode it again. One without syndrome is decoded there, from the
 * instruction, once every register it may name is saved. */
static __attribute__((noinline)) struct guest_regs *hand_on(struct vcpu *vcpu, uint64_t esr, gpa_t gpa)
{
	struct vm_exit *exit = vcpu->arch.exit;
	if (esr & ISS_DABT_ISV) {
		exit->reason = EXIT_MMIO;
		exit->mmio = decode_data_abort(esr, gpa);
	}
	return NULL;
}

/* A data abort, from guest_exit_quick: decoded, and carried out when a device model claims it and
 * the register it reads into or writes from is one already saved (x0-x18, x30); the rest go on
 * to the full path (hand_on). */
static __attribute__((noinline)) struct guest_regs *mmio_in_place(struct vcpu *vcpu, uint64_t esr)
{
	struct vcpu_arch *a = &vcpu->arch;
	uint64_t far = read_sysreg(far_el2);
	gpa_t gpa = abort_ipa(read_sysreg(hpfar_el2), far);
	struct vm_exit_mmio mmio = decode_data_abort(esr, gpa);
	if (!(esr & ISS_DABT_ISV) || (mmio.reg >= 19 && mmio.reg <= 29))
		return hand_on(vcpu, esr, gpa);
	uint64_t value = mmio.write && mmio.reg != 31 ? a->regs.x[mmio.reg] : 0;
	bool idle = vgic_idle(&a->vgic);
	if (!idle)
		vgic_sync_lrs(vcpu); /* the device may be the vGIC, whose state must be the guest's */
	enum vm_exit_result result = vcpu_mmio_in_place(vcpu, mmio.gpa, mmio.width, mmio.write, &value);
	if (result == EXIT_UNCLAIMED)
		return hand_on(vcpu, esr, gpa); /* the run loop logs and faults it */
	if (result == EXIT_HANDLED) {
		if (!mmio.write)
			load_mmio_result(a, esr, value);
		a->regs.pc += 4;
	} else {
		struct vm_exit exit = { .reason = EXIT_MMIO };
		a->esr = esr; /* the syndrome the injected abort reports */
		a->far = far;
		arch_vcpu_inject_fault(vcpu, &exit);
	}
	if (!idle || !vgic_idle(&a->vgic))
		vgic_flush_lrs(vcpu);
	return &a->regs;
}

/* guest_exit's first try (guest.S), interrupts masked, with only x0-x18, x30, PC and PSTATE
 * saved: the guest's x19-x29 are still in the registers, which C preserves. Takes the exits that
 * need no more: calls answered from the registers alone, which touch nothing else (the list
 * registers keep what the guest left in them), MMIO through those registers, and host
 * interrupts. Returns the registers to re-enter the guest with, or NULL for guest_exit_handler;
 * what returns NULL has changed nothing the full path would do again. */
struct guest_regs *guest_exit_quick(unsigned vector, struct guest_regs *regs);
struct guest_regs *guest_exit_quick(unsigned vector, struct guest_regs *regs)
{
	struct vcpu *vcpu = container_of(regs, struct vcpu, arch.regs);
	if (vector == VECTOR_LOWER_SYNC) {
		uint64_t esr = read_sysreg(esr_el2);
		if (ESR_EC(esr) == EC_DABT_LOW)
			return mmio_in_place(vcpu, esr);
		return guest_call_in_place(vcpu);
	}
	if (vector == VECTOR_LOWER_IRQ || vector == VECTOR_LOWER_FIQ)
		return irq_in_place(vcpu);
	return NULL;
}

/* guest_exit's second try, with all the guest's registers saved. Returns the registers to
 * re-enter with, or NULL to return from guest_run to arch_vcpu_run with the exit in
 * vcpu->arch.exit. */
struct guest_regs *guest_exit_handler(unsigned vector, struct guest_regs *regs);
struct guest_regs *guest_exit_handler(unsigned vector, struct guest_regs *regs)
{
	struct vcpu *vcpu = container_of(regs, struct vcpu, arch.regs);
	bool idle = vgic_idle(&vcpu->arch.vgic);
	if (!idle)
		vgic_sync_lrs(vcpu);
	if (vcpu->arch.call_answered) {
		vcpu->arch.call_answered = false;
		vcpu->arch.exit->reason = EXIT_NONE; /* to the run loop, for the scheduler */
		return NULL;
	}
	if (!finish_in_place(vcpu, vector, vcpu->arch.exit))
		return NULL;
	if (!idle || !vgic_idle(&vcpu->arch.vgic))
		vgic_flush_lrs(vcpu);
	return &vcpu->arch.regs;
}

enum vm_exit_result arch_vcpu_run(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	a->exit = exit;
	choose_wait_trapping(a);
	vgic_flush_lrs(vcpu);
	guest_run(&a->regs);
	return EXIT_UNCLAIMED; /* what the exit path finishes, it re-enters from */
}

void arch_vcpu_finish_exit(struct vcpu *vcpu, const struct vm_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	switch (exit->reason) {
	case EXIT_MMIO:
		if (!exit->mmio.write)
			load_mmio_result(a, a->esr, exit->mmio.value);
		finish_writeback(vcpu);
		break;
	case EXIT_HYPERCALL:
		a->regs.x[0] = (uint64_t)exit->hypercall.result;
		break;
	case EXIT_CPU_ON:
		a->regs.x[0] = (uint64_t)guest_psci_result(exit->cpu_on.result);
		break;
	default:
		break;
	}
	a->regs.pc += a->pc_advance;
	a->pc_advance = 0;
}

/* Delivers a synchronous exception to the guest's EL1 as the hardware would (D1.10.2): ESR_EL1,
 * FAR_EL1, ELR_EL1 and SPSR_EL1 set, PC to the vector for the EL it came from, PSTATE EL1h masked. */
static void inject_sync_exception(struct vcpu *vcpu, uint64_t esr, uint64_t far)
{
	struct vcpu_arch *a = &vcpu->arch;
	unsigned long flags = arch_irq_save(); /* the EL1 registers are live while loaded */
	uint64_t mode = a->regs.pstate & 0xf;
	uint64_t offset = mode == 0x5 ? 0x200 : mode == 0x4 ? 0x000 : 0x400;
	write_sysreg(esr_el1, esr);
	write_sysreg(far_el1, far);
	write_sysreg(elr_el1, a->regs.pc);
	write_sysreg(spsr_el1, a->regs.pstate);
	a->regs.pc = read_sysreg(vbar_el1) + offset;
	a->regs.pstate = PSTATE_EL1H_MASKED;
	arch_irq_restore(flags);
}

void arch_vcpu_inject_fault(struct vcpu *vcpu, const struct vm_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	bool from_el0 = (a->regs.pstate & 0xf) == 0;
	uint64_t ec = ESR_EC(a->esr);
	a->pc_advance = 0;
	a->writeback = false; /* an access that faults writes nothing back */
	if (exit->reason == EXIT_MMIO || ec == EC_DABT_LOW) {
		/* Synchronous external abort on a data access (DFSC 0x10), at the guest's VA. */
		uint64_t esr = ((from_el0 ? (uint64_t)EC_DABT_LOW : EC_DABT_CUR) << 26) | ESR_IL | 0x10 |
			       (a->esr & ISS_DABT_WNR);
		inject_sync_exception(vcpu, esr, a->far);
	} else if (ec == EC_IABT_LOW) {
		uint64_t esr = ((from_el0 ? (uint64_t)EC_IABT_LOW : EC_IABT_CUR) << 26) | ESR_IL | 0x10;
		inject_sync_exception(vcpu, esr, a->far);
	} else {
		/* Anything else no model accepts is an undefined instruction to the guest. */
		inject_sync_exception(vcpu, ((uint64_t)EC_UNKNOWN << 26) | ESR_IL, 0);
	}
}

bool arch_vcpu_irq_pending(struct vcpu *vcpu)
{
	return vgic_pending(vcpu);
}
