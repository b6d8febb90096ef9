/* SPDX-License-Identifier: Apache-2.0 */
/* Hypercall numbers. 0-6 are AxVisor's (HyperCallCode), so guests written for AxVisor keep
 * working; Tessera's own calls follow. Conventions: aarch64 "hvc #0" with the number in x0 and
 * arguments in x1-x6 (when x0 is outside the PSCI/SMCCC ranges); riscv64 SBI extension 0x485643
 * ("HVC") with the number as function id; x86_64 vmmcall with the number in rax and arguments in
 * rdi, rsi, rdx, rcx, r8, r9. The result comes back in x0 / a0 (after the SBI error) / rax. */
#ifndef VMM_HYPERCALL_H
#define VMM_HYPERCALL_H

#include "lib/types.h"

/* AxVisor's numbers. */
#define HYPERCALL_HYPERVISOR_DISABLE 0
#define HYPERCALL_HYPERVISOR_PREPARE_DISABLE 1
#define HYPERCALL_HYPERVISOR_DEBUG 2
#define HYPERCALL_IVC_PUBLISH_CHANNEL 3
#define HYPERCALL_IVC_SUBSCRIBE_CHANNEL 4
#define HYPERCALL_IVC_UNPUBLISH_CHANNEL 5
#define HYPERCALL_IVC_UNSUBSCRIBE_CHANNEL 6

/* Tessera's. */
#define HYPERCALL_TESSERA_VERSION 0x100   /* -> (major << 16) | (minor << 8) | patch */
#define HYPERCALL_TESSERA_VM_ID 0x101     /* -> the calling VM's id */
#define HYPERCALL_TESSERA_VCPU_ID 0x102   /* -> the calling vCPU's index */
#define HYPERCALL_TESSERA_PUTC 0x103      /* arg0: a character for the VM's console */
#define HYPERCALL_TESSERA_BOOT_COUNT 0x104 /* -> how many times this VM has booted (1, 2 after a reset) */
#define HYPERCALL_TESSERA_IVC_DOORBELL 0x105 /* (publisher_vm_id, key) -> peers rung (vmm/ivc.h) */
#define HYPERCALL_TESSERA_EXIT_COUNT 0x106 /* -> the calling vCPU's exits so far */

#define HYPERCALL_SBI_EXTENSION 0x485643  /* "HVC": the SBI extension id on riscv64 */

#define HYPERCALL_NOT_SUPPORTED (-1)

struct vcpu;
struct vm_exit_hypercall;

/* Answers the calls that only read what the VM and vCPU are (version, ids, boot count): true with
 * *result set, false for any other number. It takes no lock, logs nothing and changes nothing, so
 * an arch may call it on its exit path before the generic run loop, with interrupts masked and
 * without its per-CPU data (x86_64 answers VMMCALLs so, right after #VMEXIT). */
bool hypercall_answer_in_place(const struct vcpu *vcpu, uint64_t nr, int64_t *result);

/* Handles a hypercall; fills call->result. Always resumes the guest. */
void hypercall_handle(struct vcpu *vcpu, struct vm_exit_hypercall *call);

#endif
