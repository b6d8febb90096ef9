/* SPDX-License-Identifier: Apache-2.0 */
/* RISC-V control and status registers used by the hypervisor in HS-mode, with the bits it needs.
 * RISC-V privileged spec 20211203: sstatus 4.1.1, sip/sie 4.1.3, stvec 4.1.2, scause 4.1.8,
 * satp 4.1.11; Sstc (stimecmp) is the 'Sstc' extension v1.0. Usable from C and assembly. */
#ifndef ARCH_IMPL_CSR_H
#define ARCH_IMPL_CSR_H

/* sstatus (4.1.1) */
#define SSTATUS_SIE (1UL << 1)
#define SSTATUS_SPIE (1UL << 5)
#define SSTATUS_SPP (1UL << 8)
#define SSTATUS_SUM (1UL << 18)

/* sip / sie bit numbers are the interrupt cause codes (4.1.3, table 4.2). */
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9
#define SIE_SSIE (1UL << IRQ_S_SOFT)
#define SIE_STIE (1UL << IRQ_S_TIMER)
#define SIE_SEIE (1UL << IRQ_S_EXT)

/* scause (4.1.8, table 4.2): the top bit tells an interrupt from an exception. */
#define SCAUSE_INTERRUPT (1UL << 63)
#define EXC_INST_MISALIGNED 0
#define EXC_INST_ACCESS 1
#define EXC_ILLEGAL_INSTRUCTION 2
#define EXC_BREAKPOINT 3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS 7
#define EXC_ECALL_U 8
#define EXC_ECALL_S 9
#define EXC_ECALL_VS 10
#define EXC_INST_PAGE_FAULT 12
#define EXC_LOAD_PAGE_FAULT 13
#define EXC_STORE_PAGE_FAULT 15
#define EXC_INST_GUEST_PAGE_FAULT 20
#define EXC_LOAD_GUEST_PAGE_FAULT 21
#define EXC_VIRTUAL_INSTRUCTION 22
#define EXC_STORE_GUEST_PAGE_FAULT 23

/* satp (4.1.11): MODE in bits 63:60, PPN in 43:0. */
#define SATP_MODE_SV39 (8UL << 60)
#define SATP_MODE_MASK (0xfUL << 60)

#ifndef __ASSEMBLY__

#define csr_read(csr)                                                   \
	({                                                              \
		unsigned long __v;                                      \
		__asm__ __volatile__("csrr %0, " #csr : "=r"(__v) : : "memory"); \
		__v;                                                    \
	})

#define csr_write(csr, val)                                                      \
	({                                                                       \
		unsigned long __v = (unsigned long)(val);                        \
		__asm__ __volatile__("csrw " #csr ", %0" : : "rK"(__v) : "memory"); \
	})

#define csr_set(csr, val)                                                        \
	({                                                                       \
		unsigned long __v = (unsigned long)(val);                        \
		__asm__ __volatile__("csrs " #csr ", %0" : : "rK"(__v) : "memory"); \
	})

#define csr_clear(csr, val)                                                      \
	({                                                                       \
		unsigned long __v = (unsigned long)(val);                        \
		__asm__ __volatile__("csrc " #csr ", %0" : : "rK"(__v) : "memory"); \
	})

#define csr_read_clear(csr, val)                                                     \
	({                                                                           \
		unsigned long __v = (unsigned long)(val);                            \
		__asm__ __volatile__("csrrc %0, " #csr ", %1" : "=r"(__v) : "rK"(__v) : "memory"); \
		__v;                                                                 \
	})

/* CSRs by number, for those the assembler does not name (LLVM 14 knows no AIA CSR). */
#define csr_read_num(num)                                                            \
	({                                                                           \
		unsigned long __v;                                                   \
		__asm__ __volatile__("csrr %0, %1" : "=r"(__v) : "i"(num) : "memory"); \
		__v;                                                                 \
	})
#define csr_write_num(num, val)                                                                        \
	({                                                                                             \
		unsigned long __v = (unsigned long)(val);                                              \
		__asm__ __volatile__("csrw %0, %1" : : "i"(num), "r"(__v) : "memory");                \
	})
#define csr_swap_num(num, val)                                                                   \
	({                                                                                       \
		unsigned long __v = (unsigned long)(val);                                        \
		__asm__ __volatile__("csrrw %0, %1, %0" : "+r"(__v) : "i"(num) : "memory");     \
		__v;                                                                             \
	})

#endif /* __ASSEMBLY__ */

#endif
