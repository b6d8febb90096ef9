/* SPDX-License-Identifier: Apache-2.0 */
/* How Tessera uses the 256 interrupt vectors on x86_64 (AMD APM vol. 2, 8.2: vectors 0-31 are
 * exceptions). The kernel's interrupt numbers on x86 are these vectors. Included by assembly. */
#ifndef ARCH_IMPL_VECTORS_H
#define ARCH_IMPL_VECTORS_H

#define VECTOR_EXCEPTION_COUNT 32
#define VECTOR_NMI 2
#define VECTOR_DOUBLE_FAULT 8
#define VECTOR_PAGE_FAULT 14
#define VECTOR_MACHINE_CHECK 18

/* IOAPIC inputs: global system interrupt n arrives on vector VECTOR_GSI_BASE + n. */
#define VECTOR_GSI_BASE 0x20
#define VECTOR_GSI_LIMIT 0xd0 /* first vector past the GSI range */
#define GSI_MAX (VECTOR_GSI_LIMIT - VECTOR_GSI_BASE)

/* The masked 8259 pair is remapped here so a spurious IRQ7/IRQ15 cannot look like an exception. */
#define VECTOR_PIC_BASE 0xd0
#define VECTOR_PIC_LIMIT 0xe0

#define VECTOR_TIMER 0xe0          /* LAPIC timer: timer_interrupt() */
#define VECTOR_IPI_RESCHEDULE 0xe1 /* arch_send_ipi: ipi_interrupt() */
#define VECTOR_LAPIC_ERROR 0xfe
#define VECTOR_SPURIOUS 0xff       /* LAPIC spurious vector: never acknowledged (SDM vol. 3, 10.9) */

/* The interrupt stack table slot used for #DF, NMI and #MC, so they run on a known-good stack even
 * when the fault is a kernel stack overflow (APM vol. 2, 8.9.4). */
#define IST_CRITICAL 1

#endif
