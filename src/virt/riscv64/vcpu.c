/* SPDX-License-Identifier: Apache-2.0 */
/* riscv64 vCPUs: reset state, loading and saving the VS-mode context, running the guest and
 * turning scause/htval/stval into arch-neutral exits (RISC-V privileged spec 20211203, chapter 8:
 * 8.2 hypervisor CSRs, 8.5 two-stage translation and traps, 8.6.3 htval/htinst). */
#include "arch/cpu.h"
#include "arch/timer.h"
#include "virt/arch_vm.h"
#include "arch_impl/aia.h"
#include "arch_impl/csr.h"
#include "virt_impl/guest.h"
#include "virt_impl/hcsr.h"
#include "virt_impl/insn_decode.h"
#include "arch_impl/riscv.h"
#include "kernel/log.h"
#include "kernel/timer.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "vmm/vcpu.h"
#include "vmm/vcpu_exit.h"
#include "vmm/vm.h"

/* Exceptions the guest handles itself (hedeleg, 8.2.2): misaligned fetch, fetch/load/store
 * access faults, illegal instruction, breakpoint, ecall from VU-mode and the VS-stage page
 * faults. Guest-page faults, virtual-instruction traps and ecalls from VS-mode come to us. */
#define HEDELEG_GUEST ((1UL << EXC_INST_MISALIGNED) | (1UL << EXC_INST_ACCESS) | (1UL << EXC_ILLEGAL_INSTRUCTION) | \
		       (1UL << EXC_BREAKPOINT) | (1UL << EXC_LOAD_ACCESS) | (1UL << EXC_STORE_ACCESS) |           \
		       (1UL << EXC_ECALL_U) | (1UL << EXC_INST_PAGE_FAULT) | (1UL << EXC_LOAD_PAGE_FAULT) |       \
		       (1UL << EXC_STORE_PAGE_FAULT))
/* VS-level interrupts go to the guest (hideleg, 8.2.2). */
#define HIDELEG_GUEST HVIP_ALL
/* The guest may read time, cycle and instret (hcounteren, 8.2.5). */
#define HCOUNTEREN_GUEST 0x7UL
#define INSN_WFI 0x10500073u
#define VSSTATUS_SIE (1UL << 1)
#define VSSTATUS_SPIE (1UL << 5)
#define VSSTATUS_SPP (1UL << 8)

void guest_run(struct guest_regs *regs);
/* guest_entry.S calls these at an exit, on the hypervisor's stack with interrupts masked and the
 * guest's gp and s0-s11 still live in their registers (so only regs->x of ra, sp, tp, t0-t6,
 * a0-a7 are valid): riscv_guest_exit_sbi (guest_sbi.c) for an ecall from VS-mode,
 * riscv_guest_exit_mmio for a load or store guest-page fault, riscv_guest_exit_other for the
 * rest. An exit answered there (an SBI call such as BASE or TIME, an emulated MMIO access)
 * returns EXIT_HANDLED (0): the guest resumes straight away, without the core's loop. A host interrupt or kick
 * that arrives meanwhile stays pending and makes that entry exit at once, so nothing is missed.
 * Anything else returns EXIT_UNCLAIMED with the trap CSRs in vcpu_arch (exit_state says how far it got):
 * guest_run returns to arch_vcpu_run with every register saved. */
enum vm_exit_result riscv_guest_exit_mmio(struct guest_regs *regs, uint64_t scause);
enum vm_exit_result riscv_guest_exit_other(struct guest_regs *regs, uint64_t scause);
void guest_fp_save(struct guest_fp_state *fp);
void guest_fp_restore(const struct guest_fp_state *fp);

bool riscv_guest_has_sstc(void)
{
	return riscv_has_sstc();
}

uint64_t arch_vcpu_guest_id(unsigned vcpu_index)
{
	return vcpu_index; /* hart ids 0..n-1 */
}

void arch_vcpu_free(struct vcpu *vcpu)
{
	/* Its state lives in struct vcpu_arch; only the timer's wake-up event may still be queued. */
	timer_cancel(&vcpu->arch.wake_timer);
}

int arch_vcpu_init(struct vcpu *vcpu, gpa_t entry, uint64_t arg)
{
	struct vcpu_arch *a = &vcpu->arch;
	timer_cancel(&a->wake_timer); /* an armed event must not be wiped while queued */
	unsigned imsic_file = a->imsic_file;
	uint64_t imsic_page = a->imsic_page;
	memset(a, 0, sizeof(*a));
	riscv_vcpu_set_imsic_file(vcpu, imsic_file, imsic_page);
	/* Boot protocol (Linux Documentation/riscv/boot.rst, SBI HSM hart_start): a0 = hart id,
	 * a1 = DTB or opaque, MMU off, interrupts off, in (V)S-mode. */
	a->regs.x[10] = vcpu->guest_id;
	a->regs.x[11] = arg;
	a->regs.sepc = entry;
	a->regs.spp = SSTATUS_SPP;
	/* SPV is not kept here: guest_run sets it just before SRET and the exit clears it, since a
	 * host trap frame resumed after a task switch would SRET into V = 1 otherwise. */
	a->hstatus = (a->hstatus & HSTATUS_VGEIN_MASK) | HSTATUS_VSXL_64 | HSTATUS_VTW | HSTATUS_SPVP;
	a->vs.vstimecmp = UINT64_MAX;
	a->vs.henvcfg = riscv_has_sstc() ? HENVCFG_STCE : 0;
	a->sbi_deadline = UINT64_MAX;
	return 0;
}

void riscv_vcpu_set_imsic_file(struct vcpu *vcpu, unsigned file, uint64_t page)
{
	struct vcpu_arch *a = &vcpu->arch;
	a->imsic_file = file;
	a->imsic_page = page;
	/* A fresh start is a fresh file; hstatus.VGEIN makes it the guest's external interrupt. */
	a->imsic_reset = file != 0;
	a->hstatus = (a->hstatus & ~HSTATUS_VGEIN_MASK) | (uint64_t)file << HSTATUS_VGEIN_SHIFT;
}

/* The host's time when the guest's reaches `guest` (deadlines are in the guest's time). */
static uint64_t host_deadline(const struct vcpu_arch *a, uint64_t guest)
{
	return guest == UINT64_MAX ? UINT64_MAX : guest - a->htimedelta;
}

static void wake_at_deadline(struct timer_event *event, void *arg)
{
	(void)event;
	vcpu_kick(arg);
}

/* The emulated timer without Sstc: VSTIP rises at the SBI deadline. */
static void emulated_timer_fired(struct timer_event *event, void *arg)
{
	(void)event;
	riscv_vcpu_set_irq_line(arg, HVIP_VSTIP, true);
}

void riscv_vcpu_set_timer(struct vcpu *vcpu, uint64_t deadline)
{
	struct vcpu_arch *a = &vcpu->arch;
	if (riscv_has_sstc()) {
		/* SBI TIME on a hart with Sstc is vstimecmp (Sstc 1.0: VSTIP follows time >= vstimecmp). */
		unsigned long flags = arch_irq_save();
		a->vs.vstimecmp = deadline;
		if (a->loaded)
			csr_write_num(CSR_VSTIMECMP, deadline);
		arch_irq_restore(flags);
		return;
	}
	a->sbi_deadline = deadline;
	riscv_vcpu_set_irq_line(vcpu, HVIP_VSTIP, false); /* SBI 6.1: clears the pending timer */
	if (deadline == UINT64_MAX)
		timer_cancel(&a->wake_timer);
	else
		timer_arm(&a->wake_timer, host_deadline(a, deadline), emulated_timer_fired, vcpu);
}

/* htimedelta moves the guest's time and, with it, vstimecmp's comparison (Sstc); the host events
 * that stand in for the timer move too. */
void arch_vcpu_shift_clock(struct vcpu *vcpu, uint64_t ticks)
{
	struct vcpu_arch *a = &vcpu->arch;
	a->htimedelta -= ticks;
	if (!a->wake_timer.armed)
		return;
	if (riscv_has_sstc())
		timer_arm(&a->wake_timer, host_deadline(a, a->vs.vstimecmp), wake_at_deadline, vcpu);
	else if (a->sbi_deadline != UINT64_MAX)
		timer_arm(&a->wake_timer, host_deadline(a, a->sbi_deadline), emulated_timer_fired, vcpu);
}

/* Folds the interrupts other contexts raised into hvip (the vCPU is loaded on this hart). */
static void update_hvip(struct vcpu_arch *a)
{
	__atomic_store_n(&a->irq_update, false, __ATOMIC_SEQ_CST);
	uint64_t soft = __atomic_exchange_n(&a->irq_soft, 0, __ATOMIC_ACQ_REL);
	uint64_t lines = __atomic_load_n(&a->irq_lines, __ATOMIC_ACQUIRE);
	uint64_t hvip = (csr_read(hvip) & HVIP_VSSIP) | soft | lines;
	csr_write(hvip, hvip);
}

void riscv_vcpu_set_irq_line(struct vcpu *vcpu, uint64_t hvip_bit, bool level)
{
	struct vcpu_arch *a = &vcpu->arch;
	if (level)
		__atomic_or_fetch(&a->irq_lines, hvip_bit, __ATOMIC_ACQ_REL);
	else
		__atomic_and_fetch(&a->irq_lines, ~hvip_bit, __ATOMIC_ACQ_REL);
	__atomic_store_n(&a->irq_update, true, __ATOMIC_SEQ_CST);
	vcpu_kick(vcpu);
}

void riscv_vcpu_raise_soft_irq(struct vcpu *vcpu)
{
	struct vcpu_arch *a = &vcpu->arch;
	__atomic_or_fetch(&a->irq_soft, HVIP_VSSIP, __ATOMIC_ACQ_REL);
	__atomic_store_n(&a->irq_update, true, __ATOMIC_SEQ_CST);
	vcpu_kick(vcpu);
}

void riscv_vcpu_remote_fence(struct vcpu *self, struct vcpu *target)
{
	if (target == self) {
		hfence_vvma_all();
		__asm__ __volatile__("fence.i" ::: "memory");
		return;
	}
	struct vcpu_arch *t = &target->arch;
	__atomic_store_n(&t->fence_pending, true, __ATOMIC_SEQ_CST);
	/* A target outside the guest flushes before it enters (arch_vcpu_run); one inside is kicked
	 * out, and done once it has left or flushed. */
	if (!__atomic_load_n(&t->in_guest, __ATOMIC_SEQ_CST))
		return;
	vcpu_kick(target);
	/* This vCPU keeps in_guest while its exit is answered on the exit path (riscv_guest_exit_sbi,
	 * riscv_guest_exit_mmio), with interrupts masked: a target fencing this one meanwhile would
	 * wait for it as it waits for the target. So it does the flushes asked of it while it waits. */
	struct vcpu_arch *s = &self->arch;
	while (__atomic_load_n(&t->fence_pending, __ATOMIC_ACQUIRE) && __atomic_load_n(&t->in_guest, __ATOMIC_ACQUIRE)) {
		if (__atomic_load_n(&s->fence_pending, __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&s->fence_pending, false, __ATOMIC_RELEASE);
			hfence_vvma_all();
			__asm__ __volatile__("fence.i" ::: "memory");
		}
		arch_cpu_relax();
	}
}

void arch_vcpu_load(struct vcpu *vcpu)
{
	struct vcpu_arch *a = &vcpu->arch;
	const struct guest_vs_state *s = &a->vs;
	csr_write(hgatp, vcpu->vm->arch.hgatp);
	/* Entries of this VMID may be stale here: another VM had it, or this vCPU ran elsewhere. */
	hfence_gvma_vmid(vcpu->vm->arch.vmid);
	hfence_vvma_all();
	csr_write(hedeleg, HEDELEG_GUEST);
	csr_write(hideleg, HIDELEG_GUEST);
	csr_write(hcounteren, HCOUNTEREN_GUEST);
	csr_write(hstatus, a->hstatus);
	riscv_imsic_load(vcpu);
	csr_write(vsstatus, s->vsstatus);
	csr_write(vsie, s->vsie);
	csr_write(vstvec, s->vstvec);
	csr_write(vsscratch, s->vsscratch);
	csr_write(vsepc, s->vsepc);
	csr_write(vscause, s->vscause);
	csr_write(vstval, s->vstval);
	csr_write(vsatp, s->vsatp);
	csr_write_num(CSR_HENVCFG, s->henvcfg);
	csr_write_num(CSR_HTIMEDELTA, a->htimedelta);
	if (riscv_has_sstc()) {
		csr_write_num(CSR_VSTIMECMP, s->vstimecmp);
		timer_cancel(&a->wake_timer); /* it runs now: the hardware raises its timer */
	}
	a->vs.hvip &= HVIP_VSSIP;
	csr_write(hvip, a->vs.hvip | __atomic_load_n(&a->irq_lines, __ATOMIC_ACQUIRE));
	update_hvip(a);
	/* FP: f0-f31 hold this guest's values from here on; Clean until the guest writes them. */
	csr_set(sstatus, SSTATUS_FS_DIRTY);
	guest_fp_restore(&a->fp);
	csr_clear(sstatus, SSTATUS_FS_MASK);
	csr_set(sstatus, SSTATUS_FS_CLEAN);
	a->loaded = true;
}

void arch_vcpu_put(struct vcpu *vcpu)
{
	struct vcpu_arch *a = &vcpu->arch;
	if (!a->loaded)
		return;
	struct guest_vs_state *s = &a->vs;
	a->hstatus = csr_read(hstatus) & ~HSTATUS_SPV;
	s->vsstatus = csr_read(vsstatus);
	s->vsie = csr_read(vsie);
	s->vstvec = csr_read(vstvec);
	s->vsscratch = csr_read(vsscratch);
	s->vsepc = csr_read(vsepc);
	s->vscause = csr_read(vscause);
	s->vstval = csr_read(vstval);
	s->vsatp = csr_read(vsatp);
	s->hvip = csr_read(hvip) & HVIP_VSSIP;
	csr_write(hvip, 0);
	if (riscv_has_sstc()) {
		s->vstimecmp = csr_read_num(CSR_VSTIMECMP);
		/* Waiting or preempted, the vCPU must still wake when its timer comes due. */
		if (s->vstimecmp != UINT64_MAX)
			timer_arm(&a->wake_timer, host_deadline(a, s->vstimecmp), wake_at_deadline, vcpu);
	}
	if ((csr_read(sstatus) & SSTATUS_FS_MASK) == SSTATUS_FS_DIRTY)
		guest_fp_save(&a->fp);
	csr_clear(sstatus, SSTATUS_FS_MASK);
	riscv_imsic_put(vcpu);
	csr_write(hgatp, 0);
	a->loaded = false;
}

/* The trapping instruction and its length (2 or 4), or -1 when it cannot be read: htinst when
 * the hart gives a transformed one (8.6.3: bit 0 set; bit 1 clear when the original was
 * compressed), else read from guest memory at sepc with HLVX.HU. */
static inline int fetch_trapping_insn(uint64_t htinst, uint64_t sepc, uint32_t *insn)
{
	if (htinst & 1) {
		*insn = (uint32_t)htinst | 3;
		return (htinst & 2) ? 4 : 2;
	}
	return guest_read_insn(sepc, insn);
}

/* The guest-physical address of a guest-page fault: htval holds it shifted right by 2, stval's
 * low bits the rest (8.6.3). */
static inline gpa_t guest_fault_gpa(const struct vcpu_arch *a)
{
	return (a->htval << 2) | (a->stval & 3);
}

static void fault(struct vm_exit *exit, uint64_t address, uint64_t cause, const char *what)
{
	exit->reason = EXIT_FAULT;
	exit->fault = (struct vm_exit_fault){ address, cause, what };
}

/* A load or store guest-page fault: an access outside guest RAM, perhaps to an emulated device. */
static void decode_guest_page_fault(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	gpa_t gpa = guest_fault_gpa(a);
	uint32_t insn;
	struct riscv_mmio_access access;
	int length = fetch_trapping_insn(a->htinst, a->regs.sepc, &insn);
	if (length < 0) {
		fault(exit, gpa, a->scause, "guest access whose instruction cannot be read");
		return;
	}
	if (riscv_decode_mmio(insn, &access) < 0) {
		fault(exit, gpa, insn, "guest access outside RAM by an instruction that cannot be emulated");
		return;
	}
	bool write = a->scause == EXC_STORE_GUEST_PAGE_FAULT;
	if (write != access.write) {
		fault(exit, gpa, insn, "guest access that does not match its instruction");
		return;
	}
	exit->reason = EXIT_MMIO;
	exit->mmio = (struct vm_exit_mmio){
		.gpa = gpa,
		.width = access.width,
		.write = access.write,
		.sign_extend = access.sign_extend,
		.reg = access.reg,
		.value = access.write ? a->regs.x[access.reg] : 0,
	};
	a->pc_advance = length;
}

static void decode_virtual_instruction(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	uint32_t insn = (uint32_t)a->stval;
	if (!insn && fetch_trapping_insn(a->htinst, a->regs.sepc, &insn) < 0)
		insn = 0;
	if (insn == INSN_WFI) {
		a->pc_advance = 4;
		exit->reason = EXIT_HALT;
		riscv_imsic_halting(vcpu, true);
		return;
	}
	fault(exit, a->regs.sepc, insn, "instruction not allowed in the guest");
}

/* A guest-page fault in the VM's RAM (a load, store or fetch, or the guest's own table walk): a
 * chunk not yet present (vm_ram_touch), the access to run again. The hot path passed it on: no
 * device claims RAM. A hart may keep an invalid G-stage entry in its TLB (privileged spec 18.5.3,
 * as for SFENCE.VMA in 4.2.1): this one forgets it before the guest retries. */
static bool ram_first_touch(struct vcpu *vcpu, struct vm_exit *exit)
{
	gpa_t gpa = guest_fault_gpa(&vcpu->arch);
	if (!vm_gpa_in_lazy_ram(vcpu->vm, gpa))
		return false;
	hfence_gvma_vmid(vcpu->vm->arch.vmid); /* pc_advance stays 0: the access runs again */
	exit->reason = EXIT_RAM;
	exit->ram_gpa = gpa;
	return true;
}

static void decode_exception(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	switch (a->scause) { /* an ecall from VS-mode is riscv_guest_exit_sbi's */
	case EXC_LOAD_GUEST_PAGE_FAULT:
	case EXC_STORE_GUEST_PAGE_FAULT:
		if (ram_first_touch(vcpu, exit))
			return;
		decode_guest_page_fault(vcpu, exit);
		return;
	case EXC_INST_GUEST_PAGE_FAULT:
		if (ram_first_touch(vcpu, exit))
			return;
		fault(exit, guest_fault_gpa(a), a->scause, "instruction fetch outside guest memory");
		return;
	case EXC_VIRTUAL_INSTRUCTION:
		decode_virtual_instruction(vcpu, exit);
		return;
	default:
		fault(exit, a->regs.sepc, a->scause, "unexpected exception from the guest");
		return;
	}
}

/* Interrupts raised from other contexts folded into hvip, and a remote fence done. */
static inline void take_requests(struct vcpu_arch *a)
{
	if (__atomic_load_n(&a->irq_update, __ATOMIC_RELAXED))
		update_hvip(a);
	if (__atomic_load_n(&a->fence_pending, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&a->fence_pending, false, __ATOMIC_RELEASE);
		hfence_vvma_all();
		__asm__ __volatile__("fence.i" ::: "memory");
	}
}

/* What must hold each time guest_run enters the guest: in_guest set so a kick or a fence
 * request interrupts it, and what other contexts asked for taken. */
static void prepare_entry(struct vcpu_arch *a)
{
	/* Store in_guest, then read the requests, with one full fence between: a remote fence sets
	 * its request before it reads in_guest (riscv_vcpu_remote_fence), so one of the two sees the
	 * other; an interrupt raiser's kick leaves an IPI pending that makes the entry exit at once. */
	__atomic_store_n(&a->in_guest, true, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	take_requests(a);
}

static void complete_mmio_read(struct vcpu_arch *a, const struct vm_exit_mmio *mmio)
{
	if (!mmio->write && mmio->reg != 0)
		a->regs.x[mmio->reg] = mmio_load_value(mmio->value, mmio->width, mmio->sign_extend);
}

enum vm_exit_result riscv_vcpu_resume_slow(struct vcpu *vcpu)
{
	struct vcpu_arch *a = &vcpu->arch;
	if (__atomic_load_n(&vcpu->requests, __ATOMIC_RELAXED)) {
		/* Complete, but the core's loop acts on the request before the guest runs again. */
		a->regs.sepc = csr_read(sepc);
		a->regs.spp = csr_read(sstatus) & SSTATUS_SPP;
		a->exit_state = GUEST_EXIT_COMPLETED;
		return EXIT_UNCLAIMED;
	}
	take_requests(a);
	return EXIT_HANDLED;
}

/* The trap CSRs of an exit, as arch_vcpu_run and arch_vcpu_inject_fault want them; read before
 * anything on the exit path may trap (a faulting HLVX overwrites them). */
static inline void save_trap_csrs(struct vcpu_arch *a)
{
	a->regs.sepc = csr_read(sepc);
	a->regs.spp = csr_read(sstatus) & SSTATUS_SPP;
	a->stval = csr_read(stval);
	a->htval = csr_read(htval);
	a->htinst = csr_read(htinst);
}

/* An exit for arch_vcpu_run to decode, its trap CSRs saved. */
static __attribute__((noinline)) enum vm_exit_result leave_undecoded(struct vcpu_arch *a, uint64_t scause)
{
	a->scause = scause;
	a->exit_state = GUEST_EXIT_UNDECODED;
	return EXIT_UNCLAIMED;
}

/* A load or store guest-page fault handled on the exit path: decoded, and carried out by
 * vcpu_mmio_in_place on the VM's device bus, without leaving to the core's loop. Anything
 * unusual (an instruction that cannot be read or emulated, an access no device claims, which the
 * core reports) is left undecoded to arch_vcpu_run, which decodes it again for the core; a
 * device's error becomes the access fault the core would inject. */
enum vm_exit_result riscv_guest_exit_mmio(struct guest_regs *regs, uint64_t scause)
{
	struct vcpu_arch *a = container_of(regs, struct vcpu_arch, regs);
	struct vcpu *vcpu = container_of(a, struct vcpu, arch);
	save_trap_csrs(a);
	uint32_t insn;
	/* Decoded into vcpu_arch, not a local: read again after the device call rather than kept in
	 * callee-saved registers, which this path would save and restore every time. The decoding is
	 * a pure function of the instruction's bits, so the last one is kept (mmio_insn, 0 until an
	 * instruction decodes: the all-zero word never does): a driver's accesses repeat. */
	struct riscv_mmio_access *access = &a->mmio_access;
	if (fetch_trapping_insn(a->htinst, a->regs.sepc, &insn) < 0)
		return leave_undecoded(a, scause);
	if (insn != a->mmio_insn) {
		if (riscv_decode_mmio(insn, access) < 0) {
			a->mmio_insn = 0;
			return leave_undecoded(a, scause);
		}
		a->mmio_insn = insn;
	}
	if (access->write != (scause == EXC_STORE_GUEST_PAGE_FAULT))
		return leave_undecoded(a, scause);
	/* A register the exit path has not stored (gp, s0-s11: still live, not in regs->x) is read or
	 * written by the core's loop, after guest_entry.S has stored every register. */
	if (!((GUEST_REGS_SAVED_ON_EXIT >> access->reg) & 1))
		return leave_undecoded(a, scause);
	gpa_t gpa = guest_fault_gpa(a);
	uint64_t value = access->write ? a->regs.x[access->reg] : 0; /* x[0] stays 0 */
	enum vm_exit_result result = vcpu_mmio_in_place(vcpu, gpa, access->width, access->write, &value);
	if (result == EXIT_UNCLAIMED)
		return leave_undecoded(a, scause);
	if (result == EXIT_GUEST_FAULT) {
		a->scause = scause;
		arch_vcpu_inject_fault(vcpu, a->exit);
		a->exit_state = GUEST_EXIT_COMPLETED;
		return EXIT_UNCLAIMED;
	}
	if (!access->write && access->reg)
		a->regs.x[access->reg] = mmio_load_value(value, access->width, access->sign_extend);
	csr_write(sepc, a->regs.sepc + access->length);
	return riscv_vcpu_resume_from_exit(vcpu);
}

/* Interrupts and the exceptions arch_vcpu_run decodes. */
enum vm_exit_result riscv_guest_exit_other(struct guest_regs *regs, uint64_t scause)
{
	struct vcpu_arch *a = container_of(regs, struct vcpu_arch, regs);
	save_trap_csrs(a);
	return leave_undecoded(a, scause);
}

enum vm_exit_result arch_vcpu_run(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	a->exit = exit;
	for (;;) {
		a->pc_advance = 0;
		prepare_entry(a);
		guest_run(&a->regs);
		__atomic_store_n(&a->in_guest, false, __ATOMIC_RELEASE);
		if (a->exit_state == GUEST_EXIT_DECODED)
			return EXIT_UNCLAIMED;
		if (a->exit_state == GUEST_EXIT_COMPLETED) {
			/* Finished and counted on the exit path; the core's loop acts on the request. */
			if (__atomic_load_n(&vcpu->requests, __ATOMIC_ACQUIRE))
				return EXIT_HANDLED;
			continue;
		}
		if (a->scause & SCAUSE_INTERRUPT) {
			exit->reason = EXIT_IRQ;
			return EXIT_UNCLAIMED;
		}
		decode_exception(vcpu, exit);
		if (exit->reason != EXIT_NONE)
			return EXIT_UNCLAIMED;
		vcpu_count_exit(vcpu, EXIT_NONE);
		a->regs.sepc += a->pc_advance;
	}
}

void arch_vcpu_finish_exit(struct vcpu *vcpu, const struct vm_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	switch (exit->reason) {
	case EXIT_MMIO:
		complete_mmio_read(a, &exit->mmio);
		break;
	case EXIT_HYPERCALL:
		a->regs.x[10] = 0;
		a->regs.x[11] = (uint64_t)exit->hypercall.result;
		break;
	case EXIT_CPU_ON:
		a->regs.x[10] = (uint64_t)guest_sbi_error_of(exit->cpu_on.result);
		a->regs.x[11] = 0;
		break;
	case EXIT_HALT:
		riscv_imsic_halting(vcpu, false);
		if (a->resume_pending) {
			/* SBI HSM non-retentive suspend (9.6): resume at resume_addr, a0 = hart id,
			 * a1 = opaque, in VS-mode with the MMU and interrupts off. */
			a->resume_pending = false;
			a->regs.sepc = a->resume_addr;
			a->regs.x[10] = vcpu->guest_id;
			a->regs.x[11] = a->resume_opaque;
			a->regs.spp = SSTATUS_SPP;
			unsigned long flags = arch_irq_save();
			csr_write(vsatp, 0);
			csr_clear(vsstatus, VSSTATUS_SIE);
			arch_irq_restore(flags);
			a->pc_advance = 0;
		}
		break;
	default:
		break;
	}
	a->regs.sepc += a->pc_advance;
	a->pc_advance = 0;
}

/* Delivers an exception to the guest's VS-mode as the hardware would (privileged spec 4.1.1,
 * 8.6.4 "Trap entry into VS-mode"): vsepc, vscause, vstval set, vsstatus.SPP/SPIE/SIE updated,
 * execution continues at vstvec's base in VS-mode. */
static void inject_exception(struct vcpu *vcpu, uint64_t cause, uint64_t tval)
{
	struct vcpu_arch *a = &vcpu->arch;
	unsigned long flags = arch_irq_save(); /* the VS CSRs are live while the vCPU is loaded */
	uint64_t vsstatus = csr_read(vsstatus);
	vsstatus &= ~(VSSTATUS_SPP | VSSTATUS_SPIE);
	if (a->regs.spp)
		vsstatus |= VSSTATUS_SPP;
	if (vsstatus & VSSTATUS_SIE)
		vsstatus |= VSSTATUS_SPIE;
	vsstatus &= ~VSSTATUS_SIE;
	csr_write(vsstatus, vsstatus);
	csr_write(vsepc, a->regs.sepc);
	csr_write(vscause, cause);
	csr_write(vstval, tval);
	a->regs.sepc = csr_read(vstvec) & ~3UL;
	a->regs.spp = SSTATUS_SPP;
	arch_irq_restore(flags);
}

void arch_vcpu_inject_fault(struct vcpu *vcpu, const struct vm_exit *exit)
{
	struct vcpu_arch *a = &vcpu->arch;
	a->pc_advance = 0;
	switch (a->scause) { /* an ecall from VS-mode is riscv_guest_exit_sbi's */
	case EXC_LOAD_GUEST_PAGE_FAULT:
		inject_exception(vcpu, EXC_LOAD_ACCESS, a->stval);
		break;
	case EXC_STORE_GUEST_PAGE_FAULT:
		inject_exception(vcpu, EXC_STORE_ACCESS, a->stval);
		break;
	case EXC_INST_GUEST_PAGE_FAULT:
		inject_exception(vcpu, EXC_INST_ACCESS, a->stval);
		break;
	default:
		/* Anything else no model accepts is an illegal instruction to the guest. */
		inject_exception(vcpu, EXC_ILLEGAL_INSTRUCTION, exit->reason == EXIT_FAULT ? exit->fault.cause : 0);
		break;
	}
}

bool arch_vcpu_irq_pending(struct vcpu *vcpu)
{
	struct vcpu_arch *a = &vcpu->arch;
	uint64_t pending = __atomic_load_n(&a->irq_lines, __ATOMIC_ACQUIRE) | __atomic_load_n(&a->irq_soft, __ATOMIC_ACQUIRE);
	uint64_t enabled, vstimecmp;
	unsigned long flags = arch_irq_save();
	if (a->loaded) {
		pending |= csr_read(hvip);
		enabled = csr_read(vsie);
		vstimecmp = riscv_has_sstc() ? csr_read_num(CSR_VSTIMECMP) : UINT64_MAX;
	} else {
		pending |= a->vs.hvip;
		enabled = a->vs.vsie;
		vstimecmp = riscv_has_sstc() ? a->vs.vstimecmp : UINT64_MAX;
	}
	if (riscv_imsic_pending(vcpu))
		pending |= HVIP_VSEIP; /* hgeip[VGEIN] (AIA 1.0, 6.3.4) */
	arch_irq_restore(flags);
	if (arch_timer_now() + a->htimedelta >= vstimecmp)
		pending |= HVIP_VSTIP;
	/* vsie has the interrupts at their VS-mode positions (SSIE 1, STIE 5, SEIE 9), one below hvip's. */
	return (pending & (enabled << 1) & HVIP_ALL) != 0;
}
