/* SPDX-License-Identifier: Apache-2.0 */
/* AMD SVM: the virtual machine control block and the constants Tessera uses (AMD APM vol. 2,
 * chapter 15 and appendix B "Layout of VMCB"; exit codes in appendix C). The structure is laid out
 * by offset, checked below against the tables of appendix B. */
#ifndef ARCH_IMPL_SVM_H
#define ARCH_IMPL_SVM_H

#include "lib/types.h"

/* Segment register in the VMCB (B-2): attributes packed as descriptor bits 47:40 (type, S, DPL, P)
 * in attrib[7:0] and bits 55:52 (AVL, L, D/B, G) in attrib[11:8]. */
struct vmcb_segment {
	uint16_t selector;
	uint16_t attrib;
	uint32_t limit;
	uint64_t base;
};

struct vmcb_control {
	uint32_t intercept_cr;         /* 0x000: reads 15:0, writes 31:16 */
	uint32_t intercept_dr;         /* 0x004 */
	uint32_t intercept_exceptions; /* 0x008 */
	uint32_t intercept_misc1;      /* 0x00c */
	uint32_t intercept_misc2;      /* 0x010 */
	uint32_t intercept_misc3;      /* 0x014 */
	uint8_t reserved_018[0x03c - 0x018];
	uint16_t pause_filter_threshold; /* 0x03c */
	uint16_t pause_filter_count;   /* 0x03e */
	uint64_t iopm_base;            /* 0x040 */
	uint64_t msrpm_base;           /* 0x048 */
	uint64_t tsc_offset;           /* 0x050 */
	uint32_t asid;                 /* 0x058 */
	uint8_t tlb_control;           /* 0x05c */
	uint8_t reserved_05d[3];
	uint64_t int_ctl;              /* 0x060: V_TPR, V_IRQ, V_INTR_PRIO, V_INTR_MASKING, V_INTR_VECTOR */
	uint64_t int_state;            /* 0x068: bit 0 interrupt shadow */
	uint64_t exit_code;            /* 0x070 */
	uint64_t exit_info1;           /* 0x078 */
	uint64_t exit_info2;           /* 0x080 */
	uint64_t exit_int_info;        /* 0x088 */
	uint64_t np_control;           /* 0x090: bit 0 NP_ENABLE */
	uint64_t avic_apic_bar;        /* 0x098 */
	uint64_t ghcb;                 /* 0x0a0 */
	uint64_t event_inject;         /* 0x0a8 */
	uint64_t nested_cr3;           /* 0x0b0 */
	uint64_t lbr_virtualization;   /* 0x0b8 */
	uint32_t clean_bits;           /* 0x0c0 */
	uint32_t reserved_0c4;
	uint64_t next_rip;             /* 0x0c8 (only with NRIPS) */
	uint8_t bytes_fetched;         /* 0x0d0 (only with decode assists) */
	uint8_t instruction_bytes[15];
	uint8_t reserved_0e0[0x400 - 0x0e0];
};

struct vmcb_save {
	struct vmcb_segment es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; /* 0x400 .. 0x49f */
	uint8_t reserved_4a0[0x4cb - 0x4a0];
	uint8_t cpl;                   /* 0x4cb */
	uint32_t reserved_4cc;
	uint64_t efer;                 /* 0x4d0 */
	uint8_t reserved_4d8[0x548 - 0x4d8];
	uint64_t cr4;                  /* 0x548 */
	uint64_t cr3;                  /* 0x550 */
	uint64_t cr0;                  /* 0x558 */
	uint64_t dr7;                  /* 0x560 */
	uint64_t dr6;                  /* 0x568 */
	uint64_t rflags;               /* 0x570 */
	uint64_t rip;                  /* 0x578 */
	uint8_t reserved_580[0x5d8 - 0x580];
	uint64_t rsp;                  /* 0x5d8 */
	uint64_t s_cet, ssp, isst_addr; /* 0x5e0 */
	uint64_t rax;                  /* 0x5f8 */
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base; /* 0x600 */
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;    /* 0x628 */
	uint64_t cr2;                  /* 0x640 */
	uint8_t reserved_648[0x668 - 0x648];
	uint64_t g_pat;                /* 0x668 */
	uint64_t dbgctl;               /* 0x670 */
	uint64_t br_from, br_to, last_exception_from, last_exception_to; /* 0x678 */
	uint8_t reserved_698[0x1000 - 0x698];
};

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
};

_Static_assert(__builtin_offsetof(struct vmcb_control, iopm_base) == 0x040, "VMCB B-1");
_Static_assert(__builtin_offsetof(struct vmcb_control, int_ctl) == 0x060, "VMCB B-1");
_Static_assert(__builtin_offsetof(struct vmcb_control, exit_code) == 0x070, "VMCB B-1");
_Static_assert(__builtin_offsetof(struct vmcb_control, event_inject) == 0x0a8, "VMCB B-1");
_Static_assert(__builtin_offsetof(struct vmcb_control, nested_cr3) == 0x0b0, "VMCB B-1");
_Static_assert(__builtin_offsetof(struct vmcb_control, next_rip) == 0x0c8, "VMCB B-1");
_Static_assert(__builtin_offsetof(struct vmcb, save.cpl) == 0x4cb, "VMCB B-2");
_Static_assert(__builtin_offsetof(struct vmcb, save.efer) == 0x4d0, "VMCB B-2");
_Static_assert(__builtin_offsetof(struct vmcb, save.cr4) == 0x548, "VMCB B-2");
_Static_assert(__builtin_offsetof(struct vmcb, save.rip) == 0x578, "VMCB B-2");
_Static_assert(__builtin_offsetof(struct vmcb, save.rsp) == 0x5d8, "VMCB B-2");
_Static_assert(__builtin_offsetof(struct vmcb, save.rax) == 0x5f8, "VMCB B-2");
_Static_assert(__builtin_offsetof(struct vmcb, save.cr2) == 0x640, "VMCB B-2");
_Static_assert(__builtin_offsetof(struct vmcb, save.g_pat) == 0x668, "VMCB B-2");
_Static_assert(sizeof(struct vmcb) == 4096, "VMCB is one page");

/* intercept_misc1 (B-1, offset 0x00c). */
#define SVM_INTERCEPT_INTR (1u << 0)
#define SVM_INTERCEPT_NMI (1u << 1)
#define SVM_INTERCEPT_SMI (1u << 2)
#define SVM_INTERCEPT_INIT (1u << 3)
#define SVM_INTERCEPT_VINTR (1u << 4)
#define SVM_INTERCEPT_CPUID (1u << 18)
#define SVM_INTERCEPT_INVD (1u << 22)
#define SVM_INTERCEPT_HLT (1u << 24)
#define SVM_INTERCEPT_INVLPGA (1u << 26)
#define SVM_INTERCEPT_IOIO (1u << 27)
#define SVM_INTERCEPT_MSR (1u << 28)
#define SVM_INTERCEPT_SHUTDOWN (1u << 31)
/* intercept_misc2 (offset 0x010). */
#define SVM_INTERCEPT_VMRUN (1u << 0)
#define SVM_INTERCEPT_VMMCALL (1u << 1)
#define SVM_INTERCEPT_VMLOAD (1u << 2)
#define SVM_INTERCEPT_VMSAVE (1u << 3)
#define SVM_INTERCEPT_STGI (1u << 4)
#define SVM_INTERCEPT_CLGI (1u << 5)
#define SVM_INTERCEPT_SKINIT (1u << 6)
#define SVM_INTERCEPT_MONITOR (1u << 10)
#define SVM_INTERCEPT_MWAIT (1u << 11)
#define SVM_INTERCEPT_XSETBV (1u << 13)

/* int_ctl (offset 0x060, APM 15.21.1). */
#define SVM_INT_CTL_V_IRQ (1ULL << 8)
#define SVM_INT_CTL_V_INTR_PRIO_SHIFT 16
#define SVM_INT_CTL_V_IGN_TPR (1ULL << 20)
#define SVM_INT_CTL_V_INTR_MASKING (1ULL << 24)
#define SVM_INT_CTL_V_INTR_VECTOR_SHIFT 32
#define SVM_INT_STATE_SHADOW (1ULL << 0)

/* TLB_CONTROL (15.16.1). */
#define SVM_TLB_CONTROL_NOTHING 0
#define SVM_TLB_CONTROL_FLUSH_ALL 1

/* EVENTINJ and EXITINTINFO (15.20). */
#define SVM_EVENT_VALID (1ULL << 31)
#define SVM_EVENT_ERROR_VALID (1ULL << 11)
#define SVM_EVENT_TYPE_INTR (0ULL << 8)
#define SVM_EVENT_TYPE_NMI (2ULL << 8)
#define SVM_EVENT_TYPE_EXCEPTION (3ULL << 8)
#define SVM_EVENT_TYPE_SOFTWARE (4ULL << 8)

/* Exit codes (appendix C). */
#define SVM_EXIT_EXCEPTION_BASE 0x040
#define SVM_EXIT_INTR 0x060
#define SVM_EXIT_NMI 0x061
#define SVM_EXIT_SMI 0x062
#define SVM_EXIT_INIT 0x063
#define SVM_EXIT_VINTR 0x064
#define SVM_EXIT_CPUID 0x072
#define SVM_EXIT_INVD 0x076
#define SVM_EXIT_HLT 0x078
#define SVM_EXIT_INVLPGA 0x07a
#define SVM_EXIT_IOIO 0x07b
#define SVM_EXIT_MSR 0x07c
#define SVM_EXIT_SHUTDOWN 0x07f
#define SVM_EXIT_VMRUN 0x080
#define SVM_EXIT_VMMCALL 0x081
#define SVM_EXIT_VMLOAD 0x082
#define SVM_EXIT_VMSAVE 0x083
#define SVM_EXIT_STGI 0x084
#define SVM_EXIT_CLGI 0x085
#define SVM_EXIT_SKINIT 0x086
#define SVM_EXIT_MONITOR 0x08a
#define SVM_EXIT_MWAIT 0x08b
#define SVM_EXIT_XSETBV 0x08d
#define SVM_EXIT_NPF 0x400
#define SVM_EXIT_INVALID 0xffffffffffffffffULL

/* IOIO EXITINFO1 (15.10.2, figure 15-2). */
#define SVM_IOIO_IN (1u << 0)
#define SVM_IOIO_STRING (1u << 2)
#define SVM_IOIO_REP (1u << 3)
#define SVM_IOIO_SIZE_SHIFT 4     /* SZ8, SZ16, SZ32 one-hot in bits 6:4 */
#define SVM_IOIO_ADDR_SHIFT 7     /* A16, A32, A64 one-hot in bits 9:7 */
#define SVM_IOIO_SEG_SHIFT 10
#define SVM_IOIO_PORT_SHIFT 16

/* Nested page fault EXITINFO1 (15.25.6): the #PF error code bits plus where the fault happened. */
#define SVM_NPF_PRESENT (1ULL << 0)
#define SVM_NPF_WRITE (1ULL << 1)
#define SVM_NPF_FETCH (1ULL << 4)
#define SVM_NPF_FINAL_ADDRESS (1ULL << 32)
#define SVM_NPF_PAGE_TABLE_WALK (1ULL << 33)

#define MSR_VM_HSAVE_PA 0xc0010117

/* svm.c: makes this CPU ready for VMRUN (EFER.SVME, its host save area); idempotent. Returns the
 * physical address of the CPU's host-state VMCB used with VMSAVE/VMLOAD around each run. */
paddr_t svm_enable_this_cpu(void);

#endif
