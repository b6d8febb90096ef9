/* SPDX-License-Identifier: Apache-2.0 */
/* The x86 interrupt controllers of a VM (Intel SDM vol. 3, chapter 10 "APIC"; 82093AA IOAPIC
 * datasheet): one xAPIC-mode local APIC per vCPU at 0xfee00000 (timer one-shot, periodic and
 * TSC-deadline; fixed IPIs, INIT and STARTUP; EOI; TPR), and one IOAPIC at 0xfec00000 routing
 * GSIs (the lines device models raise with vm_irq_set) to local APICs. The arch asks the local
 * APIC which vector to offer the guest and tells it when the guest took one. */
#ifndef VDEV_X86_APIC_H
#define VDEV_X86_APIC_H

#include "lib/types.h"

struct vm;
struct vlapic;

#define X86_LAPIC_BASE 0xfee00000ULL
#define X86_IOAPIC_BASE 0xfec00000ULL

struct vlapic *vlapic_of(struct vm *vm, unsigned vcpu_index);
void vlapic_reset(struct vlapic *lapic);
/* The highest requested vector above the processor priority, or -1. For the vCPU itself only (its
 * halt, its entry): it reads the APIC without the lock. */
int vlapic_pending_vector(struct vlapic *lapic);
/* The guest took 'vector': it moves from IRR to ISR (and stays in IRR when it was requested again
 * while it was offered: vcpu_arch.offered_vector). */
void vlapic_accept(struct vlapic *lapic, int vector);
/* An end of interrupt, as a write of the EOI register: the highest vector in service leaves ISR
 * (and a level-triggered one's IOAPIC pin is told). */
void vlapic_eoi(struct vlapic *lapic);
/* Whether the guest's next EOI may skip the register (KVM's PV EOI, guest_pv_eoi.c): once it has
 * taken `offered` (or -1: nothing offered), exactly one vector is in service, edge-triggered, and
 * nothing else is requested. For the vCPU itself, without the lock, as vlapic_pending_vector. */
bool vlapic_pv_eoi_allowed(const struct vlapic *lapic, int offered);
uint64_t vlapic_tsc_deadline(struct vlapic *lapic);
void vlapic_set_tsc_deadline(struct vlapic *lapic, uint64_t host_tsc);

#endif
