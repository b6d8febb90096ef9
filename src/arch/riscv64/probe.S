/* SPDX-License-Identifier: Apache-2.0 */
/* Guarded reads of CSRs that may not exist. Reading an unimplemented CSR raises an illegal
 * instruction exception (RISC-V privileged spec 20211203, 2.1); each guarded instruction has an
 * .ex_table entry, and trap.c resumes at the fixup instead of reporting a hypervisor fault.
 * Each function is int f(unsigned long *value): 0 with *value set, or -1 when the read trapped. */

.macro csr_probe name, csr
	.text
	.global \name
	.balign 4
\name:
	li	t0, -1
1:	csrr	t1, \csr
	sd	t1, 0(a0)
	li	t0, 0
2:	mv	a0, t0
	ret
	.pushsection .ex_table, "a"
	.balign 8
	.dword	1b, 2b
	.popsection
.endm

/* hgatp exists only with the H extension (privileged spec 20211203, chapter 8). */
csr_probe riscv_probe_hgatp, hgatp
/* stimecmp (Sstc 1.0, CSR 0x14d) is reachable only with Sstc and menvcfg.STCE set by M-mode. */
csr_probe riscv_probe_stimecmp, 0x14d
