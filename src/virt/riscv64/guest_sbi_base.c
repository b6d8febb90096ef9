/* SPDX-License-Identifier: Apache-2.0 */
/* SBI BASE extension for guests (SBI v2.0, chapter 4): the spec version Tessera implements,
 * its implementation id and version, extension probing, and machine ids (zero: a VM is no
 * particular vendor's hart). */
#include "virt_impl/guest.h"
#include "arch_impl/sbi.h"

#define SBI_SPEC_VERSION_2_0 (2UL << 24)
/* Not in the SBI implementation-id registry (4.9); chosen outside its range. */
#define TESSERA_SBI_IMPL_ID 0x7e55
#define TESSERA_SBI_IMPL_VERSION 0x000100 /* 0.1.0 */

/* Out of line, so the other functions, answered on the exit path's fast route, need no frame. */
static __attribute__((noinline)) enum vm_exit_result probe_extension(struct vcpu *vcpu, const struct guest_sbi_call *call)
{
	return guest_sbi_answer(vcpu, SBI_SUCCESS, guest_sbi_extension_available(call->args[0]));
}

enum vm_exit_result guest_sbi_base(struct vcpu *vcpu, const struct guest_sbi_call *call, struct vm_exit *exit)
{
	switch (call->fid) {
	case 0: return guest_sbi_answer(vcpu, SBI_SUCCESS, SBI_SPEC_VERSION_2_0);   /* get_spec_version */
	case 1: return guest_sbi_answer(vcpu, SBI_SUCCESS, TESSERA_SBI_IMPL_ID);     /* get_impl_id */
	case 2: return guest_sbi_answer(vcpu, SBI_SUCCESS, TESSERA_SBI_IMPL_VERSION); /* get_impl_version */
	case 3: return probe_extension(vcpu, call);                                        /* probe_extension */
	case 4: /* get_mvendorid */
	case 5: /* get_marchid */
	case 6: /* get_mimpid */
		return guest_sbi_answer(vcpu, SBI_SUCCESS, 0);
	default:
		return guest_sbi_answer(vcpu, SBI_ERR_NOT_SUPPORTED, 0);
	}
}
