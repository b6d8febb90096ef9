/* SBI BASE extension for guests (SBI v2.0, chapter 4): the spec version Tessera implements,
 * its implementation id and version, extension probing, and machine ids (zero: a VM is no
 * particular vendor's hart). */
#include "arch_impl/guest.h"
#include "arch_impl/sbi.h"

#define SBI_SPEC_VERSION_2_0 (2UL << 24)
/* Not in the SBI implementation-id registry (4.9); chosen outside its range. */
#define TESSERA_SBI_IMPL_ID 0x7e55
#define TESSERA_SBI_IMPL_VERSION 0x000100 /* 0.1.0 */

void guest_sbi_base(struct vcpu *vcpu, const struct guest_sbi_call *call, struct vm_exit *exit)
{
	switch (call->fid) {
	case 0: guest_sbi_answer(vcpu, exit, SBI_SUCCESS, SBI_SPEC_VERSION_2_0); return;   /* get_spec_version */
	case 1: guest_sbi_answer(vcpu, exit, SBI_SUCCESS, TESSERA_SBI_IMPL_ID); return;     /* get_impl_id */
	case 2: guest_sbi_answer(vcpu, exit, SBI_SUCCESS, TESSERA_SBI_IMPL_VERSION); return; /* get_impl_version */
	case 3: guest_sbi_answer(vcpu, exit, SBI_SUCCESS, guest_sbi_extension_available(call->args[0])); return;
	case 4: /* get_mvendorid */
	case 5: /* get_marchid */
	case 6: /* get_mimpid */
		guest_sbi_answer(vcpu, exit, SBI_SUCCESS, 0);
		return;
	default:
		guest_sbi_answer(vcpu, exit, SBI_ERR_NOT_SUPPORTED, 0);
		return;
	}
}
