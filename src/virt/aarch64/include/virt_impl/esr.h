/* SPDX-License-Identifier: Apache-2.0 */
/* The ISS of a data abort taken to EL2 (Arm ARM DDI 0487, ESR_EL2, "ISS encoding for an exception
 * from a Data Abort"): what the CPU says about the access when ISV is set, and the fault status.
 * vcpu.c decodes it; vcpu_no_syndrome.c writes one for an access the CPU gave none for. */
#ifndef VIRT_IMPL_ESR_H
#define VIRT_IMPL_ESR_H

#define ISS_DABT_ISV (1ULL << 24)        /* the fields below are valid */
#define ISS_DABT_SAS_SHIFT 22            /* access size: 1 << SAS bytes */
#define ISS_DABT_SSE (1ULL << 21)        /* the load sign-extends */
#define ISS_DABT_SRT_SHIFT 16            /* the register loaded or stored (31: XZR) */
#define ISS_DABT_SF (1ULL << 15)         /* an X register (64-bit), not a W */
#define ISS_DABT_FNV (1ULL << 10)        /* FAR is not valid */
#define ISS_DABT_EA (1ULL << 9)          /* an external abort */
#define ISS_DABT_S1PTW (1ULL << 7)       /* on a stage-1 table walk */
#define ISS_DABT_WNR (1ULL << 6)         /* a write */
#define ISS_DABT_DFSC_MASK 0x3fULL
#define ISS_DFSC_TRANSLATION_FAULT 0x04  /* 0b0001LL: levels 0 to 3 */

#define ISS_DABT_SAS(esr) ((unsigned)(((esr) >> ISS_DABT_SAS_SHIFT) & 3))
#define ISS_DABT_SRT(esr) ((unsigned)(((esr) >> ISS_DABT_SRT_SHIFT) & 31))

#endif
