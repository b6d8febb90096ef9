/* The virtual GICv3 of a VM (GICv3/v4 architecture specification IHI0069): an emulated
 * distributor and one redistributor per vCPU on the VM's MMIO bus, and the hardware virtual CPU
 * interface (ICH_* list registers) that delivers pending interrupts to the guest.
 *
 * vgic.c       interrupt state, routing, pending selection, injection (any context, vgic lock)
 * vgic_mmio.c  GICD and GICR register emulation
 * vgic_lr.c    list registers: fill before entry, read back after exit; ICH state load/put */
#ifndef ARCH_IMPL_VGIC_H
#define ARCH_IMPL_VGIC_H

#include "lib/types.h"
#include "kernel/spinlock.h"
#include "vmm/vdev.h"

#define VGIC_PRIVATE_IRQS 32   /* SGIs 0-15, PPIs 16-31, per vCPU */
#define VGIC_SPIS 256          /* INTIDs 32..287 */
#define VGIC_MAX_LRS 16
#define VGIC_VTIMER_INTID 27   /* the EL1 virtual timer's PPI (Arm BSA, QEMU virt) */
#define VGIC_MAINTENANCE_INTID 25

struct vm;
struct vcpu;

struct vgic_irq {
	uint8_t priority;
	bool enabled;
	bool edge;          /* ICFGR: edge-triggered (SGIs always) */
	bool pending_latch; /* edge event, ISPENDR write, SGI */
	bool line_level;    /* a level-sensitive input's current level */
	bool active;
	bool in_lr;         /* a list register holds it: its state lives there until read back */
	uint64_t route;     /* GICD_IROUTER affinity for SPIs */
	unsigned target;    /* vCPU index it is delivered to */
	unsigned host_intid; /* a passthrough SPI: the host line to unmask when the guest is done */
};

/* Per-vCPU part, inside struct vcpu_arch. */
struct vgic_cpu {
	struct vgic_irq private_irqs[VGIC_PRIVATE_IRQS];
	uint32_t waker;
	/* Interrupts whose state changed or that sit in a list register: only these can need a list
	 * register, so entry and the halt check look at these bits instead of every interrupt. */
	uint32_t private_watch;
	uint64_t spi_watch[VGIC_SPIS / 64];
	uint64_t lr[VGIC_MAX_LRS];
	unsigned lr_used;   /* LRs filled at the last entry */
	uint64_t vmcr, ap0r0, ap1r0, hcr;
};

struct vgic {
	struct vm *vm;
	struct spinlock lock;
	uint32_t ctlr;
	struct vgic_irq spis[VGIC_SPIS];
	struct vdev distributor;
	struct vdev redistributors;
};

/* Creates the VM's vGIC with its distributor at dist_base (64 KiB) and the redistributors at
 * redist_base (128 KiB per vCPU), adds both to the MMIO bus, registers it as the VM's interrupt
 * controller. Call after the vCPUs exist. */
int vgic_create(struct vm *vm, gpa_t dist_base, gpa_t redist_base);
struct vgic_irq *vgic_irq_of(struct vgic *vgic, struct vcpu *vcpu, unsigned intid);
/* Makes an interrupt pending for its target (edge semantics) and kicks that vCPU. */
void vgic_inject(struct vm *vm, struct vcpu *vcpu, unsigned intid);
/* The guest wrote ICC_SGI1R_EL1. */
void vgic_send_sgi(struct vcpu *sender, uint64_t sgi1r);
/* Whether an enabled interrupt is pending for the vCPU (in a list register or waiting). */
bool vgic_pending(struct vcpu *vcpu);
/* Fills free list registers from the pending set (before entry) / reads them back (after exit). */
void vgic_flush_lrs(struct vcpu *vcpu);
void vgic_sync_lrs(struct vcpu *vcpu);
void vgic_load(struct vcpu *vcpu);
void vgic_put(struct vcpu *vcpu);
/* Host-side set-up of the virtual CPU interface (ICH_VTR) on each CPU. */
void vgic_init_cpu(void);
/* The vCPU for a pending decision, vCPU for a routed SPI: effective pending state. */
bool vgic_irq_is_pending(const struct vgic_irq *irq);
void vgic_lock(struct vgic *vgic, unsigned long *flags);
/* Gives the VM the physical SPI intid (a passthrough device's interrupt); -EBUSY if another VM or
 * the hypervisor has it. */
int vgic_passthrough_spi(struct vm *vm, unsigned intid);
void vgic_passthrough_done(struct vgic_irq *irq);
/* Marks an interrupt for its target vCPU's next look (vgic lock held). */
void vgic_watch(struct vgic *vgic, struct vcpu *vcpu, unsigned intid);
void vgic_unlock(struct vgic *vgic, unsigned long flags);

#endif
