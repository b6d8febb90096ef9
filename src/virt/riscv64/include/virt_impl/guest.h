/* SPDX-License-Identifier: Apache-2.0 */
/* riscv64 guest internals shared by the files of src/virt/riscv64 (vcpu.c, the SBI extensions)
 * and the riscv-only device models (the vPLIC): raising a vCPU's virtual interrupts and the SBI
 * dispatch. Nothing outside riscv64 code includes this. */
#ifndef ARCH_IMPL_GUEST_H
#define ARCH_IMPL_GUEST_H

#include "lib/types.h"
#include "vmm/exit.h"
#include "vmm/vcpu.h"

struct vcpu;
struct vm;
struct vm_config;
struct vm_emu_device;
struct vdev;

/* Sets or clears a hypervisor-driven virtual interrupt level (HVIP_VSEIP, HVIP_VSTIP) of a vCPU
 * and kicks it so it notices. Any context. */
void riscv_vcpu_set_irq_line(struct vcpu *vcpu, uint64_t hvip_bit, bool level);
/* Raises the vCPU's supervisor software interrupt (an SBI IPI); the guest clears it. Any context. */
void riscv_vcpu_raise_soft_irq(struct vcpu *vcpu);
/* Makes the vCPU flush its VS-stage TLB and instruction cache before it next runs guest code,
 * and waits until it has if it is in the guest now (SBI RFENCE). */
void riscv_vcpu_remote_fence(struct vcpu *self, struct vcpu *target);
/* Programs the vCPU's timer (SBI TIME set_timer): vstimecmp with Sstc, else an emulated one. */
void riscv_vcpu_set_timer(struct vcpu *vcpu, uint64_t deadline);
bool riscv_guest_has_sstc(void);

/* The end of an exit answered on the exit path (guest_entry.S): EXIT_HANDLED resumes the guest
 * from there; EXIT_UNCLAIMED when the core's loop must see a request first (the exit is complete). in_guest stays true on
 * that path: a remote fence or an interrupt raised from another CPU meanwhile also kicked this
 * one, and that IPI, pending while interrupts are masked, makes the entry exit at once; what this
 * vCPU raised for itself (irq_update, fence_pending) is taken here. Plain byte reads: a flag set
 * after them is the raiser's own CPU's kick's business, as above. */
enum vm_exit_result riscv_vcpu_resume_slow(struct vcpu *vcpu);
static inline enum vm_exit_result riscv_vcpu_resume_from_exit(struct vcpu *vcpu)
{
	const volatile uint8_t *irq_update = (const volatile uint8_t *)&vcpu->arch.irq_update;
	const volatile uint8_t *fence_pending = (const volatile uint8_t *)&vcpu->arch.fence_pending;
	if (__atomic_load_n(&vcpu->requests, __ATOMIC_RELAXED) | *irq_update | *fence_pending)
		return riscv_vcpu_resume_slow(vcpu);
	return EXIT_HANDLED;
}

/* The VM's interrupt controllers, by its config's interrupt-controller entries (irqchip.c decides
 * by name: "imsic", "aplic", anything else a vPLIC). */
enum riscv_irqchip { RISCV_NO_IRQCHIP, RISCV_VPLIC, RISCV_VAPLIC, RISCV_IMSIC };
enum riscv_irqchip riscv_irqchip_of(const struct vm_emu_device *emu);
/* The config's first entry of that kind, or NULL. */
const struct vm_emu_device *riscv_irqchip_entry(const struct vm_config *config, enum riscv_irqchip kind);
/* IMSIC guest interrupt files (imsic_guest.c). The VM's IMSIC window (one 4 KiB page per vCPU,
 * vCPU i's at base + 4 KiB * i), or NULL. */
static inline const struct vm_emu_device *riscv_imsic_window(const struct vm_config *config)
{
	return riscv_irqchip_entry(config, RISCV_IMSIC);
}
/* Maps each vCPU's file into the window and gives it to the vCPU (after arch_vcpu_placement). */
__must_check int riscv_imsic_attach(struct vm *vm, gpa_t window);
/* Gives the VM's files back (arch_vm_destroy). */
void riscv_imsic_release(struct vm *vm);
void riscv_imsic_release_file(unsigned cpu, unsigned file);
/* hgeie, hie.VSEIE and a pending reset of the vCPU's file, when it is loaded and put. */
void riscv_imsic_load(struct vcpu *vcpu);
void riscv_imsic_put(struct vcpu *vcpu);
/* The vCPU's file has an interrupt for it (loaded on its hart; false otherwise). */
bool riscv_imsic_pending(const struct vcpu *vcpu);
/* Around a halt (its WFI exit decoded, then finished): while the vCPU waits, its file's interrupt
 * wakes the hart through hgeie, as when it is put (QEMU 7.2 wakes a hart in WFI for its VGEIN file
 * only while V = 1). Loaded, interrupts masked. */
void riscv_imsic_halting(struct vcpu *vcpu, bool halting);
/* Makes an identity pending in the vCPU's file (an MSI from the vAPLIC). Any context. */
void riscv_imsic_send(struct vcpu *vcpu, unsigned identity);
/* vcpu.c: the file and page the vCPU keeps across arch_vcpu_init (which clears its state). */
void riscv_vcpu_set_imsic_file(struct vcpu *vcpu, unsigned file, uint64_t page);

/* The wired-line models (vplic.c, vaplic.c), which irqchip.c puts on the bus: each registers
 * itself as the VM's irqchip; `pass` marks a host source passed through to it (owned, and its
 * completion unmasks the host source). */
struct vdev *riscv_vplic_create(struct vm *vm, const struct vm_emu_device *emu);
void riscv_vplic_pass(void *model, unsigned source);
struct vdev *riscv_vaplic_create(struct vm *vm, const struct vm_emu_device *emu);
void riscv_vaplic_pass(void *model, unsigned source);
/* At a model's reset: each passthrough source whose line the model holds high (masked at the host
 * until the guest's end of interrupt, which will not come now) is unmasked and its line dropped. */
void riscv_release_held_sources(const uint32_t *passthrough, uint32_t *lines, unsigned words);
/* The highest source the vAPLIC has (its device tree's riscv,num-sources). */
unsigned riscv_vaplic_source_count(const struct vm *vm);
/* Calls fn for each interrupt source the VM owns: the irq of each of its devices but the
 * interrupt controllers, emulated or passed through. */
void riscv_for_each_owned_source(const struct vm_config *c, void (*fn)(void *arg, unsigned irq), void *arg);

/* The vPLIC's interrupt sources are 1..VPLIC_SOURCES - 1 (src/vdev/vplic.c; the device tree's
 * riscv,ndev). */
#define VPLIC_SOURCES 128
/* How many sources (riscv,ndev) a VM's device tree gives its vPLIC: up to the highest the VM owns,
 * emulated or passed through, rounded up to a whole 32-source enable word, less source 0 (31, 63,
 * ...). Linux's driver sets up every source it is offered at boot, each a few register accesses
 * and so a few exits. */
unsigned vplic_source_count(const struct vm *vm);

/* The SBI call the guest made (SBI v2.0 chapter 3: a0-a5 arguments, a6 = FID, a7 = EID), laid
 * out as x10..x17 are in struct guest_regs so that it is read in place, not copied: a handler
 * reads its arguments before it answers (the answer overwrites a0 and a1). */
struct guest_sbi_call {
	uint64_t args[6];
	uint64_t fid, eid;
};

/* Each extension's handler returns what riscv_guest_exit_sbi returns to the exit path:
 * EXIT_HANDLED when the guest resumes from there, EXIT_UNCLAIMED when guest_run returns to
 * arch_vcpu_run. It ends in one of:
 *  - guest_sbi_answer: a0 = error, a1 = value (SBI 3.1), the ecall done (stepped over);
 *  - guest_sbi_to_core: *exit filled in for the core (CPU_ON, HALT, a hypercall, power off...),
 *    which steps over the ecall once it has finished it. */
enum vm_exit_result guest_sbi_answer(struct vcpu *vcpu, long error, long value);
enum vm_exit_result guest_sbi_to_core(struct vcpu *vcpu);
/* a0 and a1 for a call the core finishes (HSM suspend answers before it waits). */
static inline void guest_sbi_set_result(struct vcpu *vcpu, long error, long value)
{
	vcpu->arch.regs.x[10] = (uint64_t)error;
	vcpu->arch.regs.x[11] = (uint64_t)value;
}
/* Whether an extension exists for guests (BASE probe_extension). */
bool guest_sbi_extension_available(uint64_t eid);

/* One handler per extension (guest_sbi_<extension>.c). Never inlined (with LTO they could be):
 * riscv_guest_exit_sbi tail-calls them and needs no stack frame of its own. */
__attribute__((noinline)) enum vm_exit_result guest_sbi_base(struct vcpu *vcpu, const struct guest_sbi_call *call, struct vm_exit *exit);
__attribute__((noinline)) enum vm_exit_result guest_sbi_time(struct vcpu *vcpu, const struct guest_sbi_call *call, struct vm_exit *exit);
__attribute__((noinline)) enum vm_exit_result guest_sbi_ipi(struct vcpu *vcpu, const struct guest_sbi_call *call, struct vm_exit *exit);
__attribute__((noinline)) enum vm_exit_result guest_sbi_rfence(struct vcpu *vcpu, const struct guest_sbi_call *call, struct vm_exit *exit);
__attribute__((noinline)) enum vm_exit_result guest_sbi_hsm(struct vcpu *vcpu, const struct guest_sbi_call *call, struct vm_exit *exit);
__attribute__((noinline)) enum vm_exit_result guest_sbi_srst(struct vcpu *vcpu, const struct guest_sbi_call *call, struct vm_exit *exit);
__attribute__((noinline)) enum vm_exit_result guest_sbi_dbcn(struct vcpu *vcpu, const struct guest_sbi_call *call, struct vm_exit *exit);
__attribute__((noinline)) enum vm_exit_result guest_sbi_legacy(struct vcpu *vcpu, const struct guest_sbi_call *call, struct vm_exit *exit);
__attribute__((noinline)) enum vm_exit_result guest_sbi_hypercall(struct vcpu *vcpu, const struct guest_sbi_call *call, struct vm_exit *exit);
/* The SBI error code for a core result (0, -EBUSY, -EINVAL) of CPU_ON. */
long guest_sbi_error_of(int64_t core_result);

/* The vCPUs an SBI hart mask names (SBI v2.0, 3.1: hart_mask_base = -1 means every hart). */
bool guest_sbi_hart_in_mask(uint64_t hartid, uint64_t hart_mask, uint64_t hart_mask_base);

#endif
