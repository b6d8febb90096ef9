/* SPDX-License-Identifier: Apache-2.0 */
/* Inter-VM channels (IVC): AxVisor's publish/subscribe shared memory, hypercalls 3-6 with its
 * arguments, plus Tessera's doorbell. A channel is zeroed memory the hypervisor owns, mapped
 * read-write into its publisher and each subscriber inside their IVC windows (the config's
 * emu_type 0xA entry: base, length, the VM's doorbell interrupt, and the VM ids that may subscribe
 * to what it publishes). Ringing a channel's doorbell latches the doorbell interrupt of every other
 * VM on it (an edge: rings while it is pending coalesce). The ABI is docs/hypercalls.md.
 *
 * Hostile callers: pointers are checked against the caller's RAM, sizes and counts are bounded
 * (below), and every failure is a negative errno result, never a fault. A channel goes when its
 * publisher unpublishes it, stops or resets: it is unmapped from every subscriber first (their
 * next access to the old window faults), and its memory is freed once no VM maps it. */
#ifndef VMM_IVC_H
#define VMM_IVC_H

#include "lib/types.h"

#define IVC_CHANNELS_MAX 32                  /* channels in the whole system */
#define IVC_SUBSCRIBERS_MAX 4                /* VMs subscribed to one channel */
#define IVC_MAPPINGS_PER_VM 8                /* channels one VM maps, published and subscribed */
#define IVC_CHANNEL_BYTES_MAX (1024 * 1024)  /* a channel's size, after rounding up to pages */

struct vm;
struct vcpu;
struct vm_exit_hypercall;

/* Hypercalls 3-6 and Tessera's doorbell: fills call->result (0, a count, or -errno) and returns
 * true; false for any other number (nothing done). */
bool ivc_hypercall(struct vcpu *vcpu, struct vm_exit_hypercall *call);
/* Tessera's doorbell alone, for an arch's exit path (interrupts masked, the run loop not
 * involved): true with *result set when nr is the doorbell, false (nothing done) otherwise. The
 * peers it wakes may want this CPU: the caller checks this_cpu()->need_resched after it. */
bool ivc_doorbell_in_place(struct vcpu *vcpu, uint64_t nr, uint64_t publisher_id, uint64_t key, int64_t *result);
/* The VM stops or resets: every channel it published goes (unmapped from its subscribers), every
 * subscription it holds ends. */
void ivc_vm_release(struct vm *vm);

#endif
