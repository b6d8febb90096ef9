/* SPDX-License-Identifier: Apache-2.0 */
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
#define VGIC_PASSTHROUGH_ROUTED 16
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
	bool lr_by_line;    /* ...pending there only because its level input is high (no latch) */
	uint64_t route;     /* GICD_IROUTER affinity for SPIs */
	unsigned target;    /* vCPU index it is delivered to */
	unsigned host_intid; /* a passthrough SPI: the physical one its list register is linked to */
};

/* Per-vCPU part, inside struct vcpu_arch. */
struct vgic_cpu {
	struct vgic_irq private_irqs[VGIC_PRIVATE_IRQS];
	uint32_t waker;
	/* Interrupts whose state changed or that sit in a list register: only these can need a list
	 * register, so entry and the halt check look at these bits instead of every interrupt. */
	uint32_t private_watch;
	uint64_t spi_watch[VGIC_SPIS / 64];
	bool spis_watched;  /* a bit may be set in spi_watch (the exit path reads this one word) */
	uint64_t lr[VGIC_MAX_LRS];
	unsigned lr_used;   /* LRs filled at the last entry */
	uint64_t vmcr, ap0r0, ap1r0, hcr;
};

struct vgic {
	struct vm *vm;
	struct spinlock lock;
	bool v2;              /* the guest sees a GICv2 (the host's GIC is a GICv2) */
	uint32_t ctlr;
	uint32_t enable_mask; /* the GICD_CTLR bit that forwards interrupts: Grp1 (v3), Enable (v2) */
	/* INTIDs the distributor offers (GICD_TYPER.ITLinesNumber = lines / 32 - 1): up to the VM's
	 * highest SPI, so a guest sets up the lines its devices use, not all VGIC_SPIS. */
	unsigned lines;
	struct vgic_irq spis[VGIC_SPIS];
	/* The VM's passthrough SPIs, each delivered by the host's distributor to the CPU its target
	 * vCPU was last loaded on (vgic_load), so that it reaches the vCPU without a kick between
	 * CPUs; routed_to caches where it goes (-1: the host's default). Past the first
	 * VGIC_PASSTHROUGH_ROUTED, SPIs keep the default route and reach their vCPU by a kick. */
	unsigned passthrough_count;
	struct vgic_passthrough_route {
		uint16_t intid;
		int16_t routed_to;
	} passthrough[VGIC_PASSTHROUGH_ROUTED];
	struct vdev distributor;
	struct vdev redistributors;
};

/* The version-independent state of a new vGIC. */
__must_check struct vgic *vgic_alloc(struct vm *vm);
/* Back to that state when the VM resets or stops (its vCPUs stopped; the distributor's reset op):
 * nothing enabled, pending or active, no active priority left in a vCPU's interface, and each
 * passthrough SPI the guest held active deactivated at the host. A guest reset inside a handler would
 * otherwise find that interrupt, and every one of its priority or lower, never delivered again. */
void vgic_reset(struct vgic *vgic);
/* The interrupt-line operations both versions register with vm_set_irqchip. */
const struct virq_ops *vgic_virq_ops(void);
struct virq_ops;
struct vgic_irq *vgic_irq_of(struct vgic *vgic, struct vcpu *vcpu, unsigned intid);
/* Makes an interrupt pending for its target (edge semantics) and kicks that vCPU. */
void vgic_inject(struct vm *vm, struct vcpu *vcpu, unsigned intid);
/* The guest wrote ICC_SGI1R_EL1. */
void vgic_send_sgi(struct vcpu *sender, uint64_t sgi1r);
/* Whether an enabled interrupt is pending for the vCPU (in a list register or waiting). */
bool vgic_pending(struct vcpu *vcpu);
/* Whether the vCPU's vGIC has nothing in list registers and nothing that may need one: then
 * entry and exit can leave the virtual CPU interface as it is. */
static inline bool vgic_idle(const struct vgic_cpu *cpu)
{
	return !cpu->lr_used && !cpu->private_watch && !cpu->spis_watched;
}
/* Fills free list registers from the pending set (before entry) / reads them back (after exit). */
void vgic_flush_lrs(struct vcpu *vcpu);
void vgic_sync_lrs(struct vcpu *vcpu);
/* On the exit path, with the list registers still as the guest left them (not synced): makes the
 * loaded vCPU's private interrupt intid (< VGIC_PRIVATE_IRQS; the timers', on every tick) pending
 * straight in a free list register, or in its own once the guest ended it. false when it cannot (no
 * free register, the interrupt still pending or active, disabled): then inject it through the model. */
bool vgic_private_in_place(struct vcpu *vcpu, unsigned intid);
/* The host claimed irq while vcpu ran: if it is one of the VM's passthrough SPIs, the vCPU its
 * target, and it goes straight into a list register as above (linked to the physical SPI), returns
 * true; the caller then only drops the host's priority (the guest's end of interrupt deactivates
 * it). Otherwise does nothing. */
bool vgic_passthrough_in_place(struct vcpu *vcpu, unsigned irq);
/* The host claimed irq while vcpu ran: if it is the guest's virtual or physical timer and can go
 * straight into a list register (vgic_private_in_place), masks that timer as the model's handler
 * would and returns true; otherwise does nothing. */
bool vtimer_fire_in_place(struct vcpu *vcpu, unsigned irq);
/* guest_irq_exit may no longer inject the vCPU's timer interrupt by itself (virt_impl/vm.h):
 * what the C path would do with it may have changed. */
void vgic_vtimer_fast_disarm(struct vcpu *vcpu);
/* Sets up this physical CPU's virtual CPU interface (GICv3 ICH_* or GICv2 GICH), its maintenance
 * interrupt and the guest timer's PPI, once: called when a vCPU is loaded. */
void vgic_init_this_cpu(void);
void vgic_load(struct vcpu *vcpu);
void vgic_put(struct vcpu *vcpu);
/* The list-register format the vGIC works in: GICv3's ICH_LR<n>_EL2 (IHI0069 12.4.10); the GICv2
 * back end converts (vgic_v2_hw.c). The virtual INTID is bits [31:0]. */
#define LR_STATE_SHIFT 62
#define LR_PENDING (1ULL << 62)
#define LR_ACTIVE (1ULL << 63)
#define LR_GROUP1 (1ULL << 60)
#define LR_HW (1ULL << 61)      /* linked to a physical interrupt, which the guest's EOI deactivates */
#define LR_PINTID_SHIFT 32      /* that physical INTID, where HW is 1 */
#define LR_PRIORITY_SHIFT 48

/* The host GIC's virtual CPU interface, in that list-register format. */
struct vgic_hw {
	unsigned (*lr_count)(void);
	void (*write_lr)(unsigned n, uint64_t lr);
	uint64_t (*read_lr)(unsigned n);
	/* Writes lr into list register n if the guest is done with what n held (neither pending nor
	 * active, no maintenance owed); false, and nothing written, otherwise. */
	bool (*refill_lr)(unsigned n, uint64_t lr);
	void (*write_hcr)(uint64_t hcr);
	uint64_t (*read_hcr)(void);
	void (*save)(struct vgic_cpu *cpu);
	void (*restore)(const struct vgic_cpu *cpu);
};
extern const struct vgic_hw vgic_v2_hw;
/* A list register's value in GICH_LR's format, and the GICH frame (guest_irq_exit's, on a GICv2
 * host). */
uint32_t vgic_v2_lr_value(uint64_t lr);
uintptr_t vgic_v2_gich(void);

/* Builds a vGICv2 (GICv2 hosts): distributor at dist_base, the hardware GICV frame mapped at
 * cpu_base as the guest's CPU interface. */
__must_check int vgic_create_v2(struct vm *vm, gpa_t dist_base, gpa_t cpu_base);
/* Shared register-bank emulation (vgic_mmio.c): an access to one of the GICD_I* banks. */
__must_check int vgic_bank_register(struct vgic *vgic, struct vcpu *vcpu, uint64_t offset, unsigned width,
				    bool write, uint64_t *value, bool private_view);
/* The vCPU for a pending decision, vCPU for a routed SPI: effective pending state. */
bool vgic_irq_is_pending(const struct vgic_irq *irq);
void vgic_lock(struct vgic *vgic, unsigned long *flags);
/* Gives the VM the physical SPI intid (a passthrough device's interrupt); -EBUSY if another VM or
 * the hypervisor has it. */
__must_check int vgic_passthrough_spi(struct vm *vm, unsigned intid, bool announce);
/* GICD_TYPER.ITLinesNumber for the lines offered. */
static inline uint32_t vgic_it_lines_number(const struct vgic *vgic)
{
	return vgic->lines / 32 - 1;
}
/* The VM goes away (its vCPUs stopped): its passthrough SPIs lose their handler and are disabled,
 * and any its guest left active is deactivated, for the next owner. */
void vgic_release_passthrough(struct vgic *vgic);
/* The vCPU is being loaded on this CPU: the passthrough SPIs it is the target of are delivered
 * here from now on (interrupts masked). */
void vgic_route_passthrough_here(struct vcpu *vcpu);
/* Marks an interrupt for its target vCPU's next look (vgic lock held). */
void vgic_watch(struct vgic *vgic, struct vcpu *vcpu, unsigned intid);
void vgic_unlock(struct vgic *vgic, unsigned long flags);

#endif
