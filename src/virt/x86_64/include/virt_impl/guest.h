/* SPDX-License-Identifier: Apache-2.0 */
/* Internal interfaces between the x86_64 guest files: the VM's platform devices (platform.c), the
 * guest's own page tables (guest_walk.c), and the CPUID and MSR policies (guest_cpuid.c,
 * guest_msr.c). All run in the vCPU's task on its physical CPU. */
#ifndef ARCH_IMPL_GUEST_H
#define ARCH_IMPL_GUEST_H

#include "lib/types.h"
#include "arch_impl/host_rtc.h"

struct vm;
struct vcpu;

/* platform.c: the PC devices every VM has (port-I/O and APIC models), and their removal. */
void x86_platform_destroy(struct vm *vm);

/* guest_walk.c: translates a guest-linear address through the guest's paging mode (none, 32-bit,
 * PAE, 4-level); -EFAULT when unmapped (the caller faults or gives up). */
__must_check int x86_guest_translate(struct vcpu *vcpu, uint64_t linear, gpa_t *gpa);
/* Where size bytes at a linear address lie in guest RAM, read in place, when they are within one
 * page and mapped; else NULL (then copy them with x86_guest_read_linear). The instruction fetch of
 * every MMIO exit: a 4-level walk is remembered with the entries it read (struct x86_walk_memo). */
const uint8_t *x86_guest_bytes_at(struct vcpu *vcpu, uint64_t linear, size_t size);
/* Forgets the remembered walk (the VM's RAM is about to change: the vCPU starts again). */
void x86_guest_walk_forget(struct vcpu *vcpu);
/* Copies between the host and guest-linear memory, page by page. */
__must_check int x86_guest_read_linear(struct vcpu *vcpu, uint64_t linear, void *dst, size_t size);
__must_check int x86_guest_write_linear(struct vcpu *vcpu, uint64_t linear, const void *src, size_t size);

/* guest_cpuid.c: fills rax/rbx/rcx/rdx for the guest's CPUID. */
void x86_guest_cpuid(struct vcpu *vcpu);
/* guest_msr.c: emulates RDMSR/WRMSR; false when the MSR is not in the policy (the guest gets #GP). */
bool x86_guest_rdmsr(struct vcpu *vcpu, uint32_t msr, uint64_t *value);
bool x86_guest_wrmsr(struct vcpu *vcpu, uint32_t msr, uint64_t value);

/* guest_pvclock.c: the KVM-compatible paravirtual clock (MSRs 0x4b564d00/01) offered at CPUID
 * 0x40000100; true when msr is one of its MSRs (then handled). */
bool x86_pvclock_wrmsr(struct vcpu *vcpu, uint32_t msr, uint64_t value);
bool x86_pvclock_rdmsr(struct vcpu *vcpu, uint32_t msr, uint64_t *value);

/* guest_pv_eoi.c: KVM's paravirtual end of interrupt (MSR 0x4b564d04), offered at CPUID
 * 0x40000101 beside the clock. wrmsr: false for #GP. Around each entry (vcpu.c): before it, with an
 * area, the bit is set when the guest may skip its next EOI write; after it, when it was set, the
 * bit is looked at (a clear bit is an EOI). */
#define MSR_KVM_PV_EOI_EN 0x4b564d04u
struct vcpu_arch;
__must_check bool x86_pv_eoi_wrmsr(struct vcpu *vcpu, uint64_t value);
void x86_pv_eoi_reset(struct vcpu_arch *a);
void x86_pv_eoi_before_entry(struct vcpu_arch *a);
void x86_pv_eoi_after_exit(struct vcpu_arch *a);

/* vcpu.c: queues an exception for the guest (delivered at the next VMRUN). */
/* guest_fpu.c: the guest's x87/SSE/AVX registers and XCR0 across switches between tasks. Once
 * per CPU before any guest runs there; reset allocates the vCPU's area on first use (-ENOMEM). */
struct vcpu_arch;
void guest_fpu_setup_this_cpu(void);
__must_check int guest_fpu_reset(struct vcpu_arch *a);
/* Gives the area back (the vCPU is freed). */
void guest_fpu_free(struct vcpu_arch *a);
void guest_fpu_load(struct vcpu_arch *a);
void guest_fpu_put(struct vcpu_arch *a);

void x86_guest_inject_exception(struct vcpu *vcpu, unsigned vector, bool has_error, uint32_t error);

#define X86_VECTOR_UD 6
#define X86_VECTOR_GP 13
#define X86_VECTOR_PF 14

#endif
