/* SPDX-License-Identifier: Apache-2.0 */
/* The GICv2 virtual interface control frame, GICH (GICv2 architecture specification IHI0048B,
 * 5.3): list registers and control, converted to and from the GICv3 list-register format the
 * rest of the vGIC uses. GICv2 LR (5.3.11): VirtualID [9:0], PhysicalID [19:10] (the physical
 * INTID when HW is 1, else bit 19 = EOI maintenance), Priority [27:23] (top 5 bits), State
 * [29:28], Grp1 [30], HW [31].
 * A GICv2 guest enables group 0 only, so its interrupts go in as group 0 (signalled as IRQs). */
#include "virt_impl/vgic.h"
#include "kernel/platform.h"

#define GICH_HCR 0x000
#define GICH_VTR 0x004
#define GICH_VMCR 0x008
#define GICH_ELRSR0 0x030
#define GICH_APR 0x0f0
#define GICH_LR0 0x100
#define V2_LR_HW (1u << 31)

static volatile uint32_t *gich(unsigned offset)
{
	return (volatile uint32_t *)(uintptr_t)(platform_boot_info->irqchip.regs[2] + offset);
}

static unsigned v2_lr_count(void)
{
	return (*gich(GICH_VTR) & 0x3f) + 1;
}

/* A linked register (HW) carries the physical INTID in [19:10]; an unlinked one carries neither a
 * maintenance request (the vGIC asks none) nor a source CPU there (virtual SGIs come from CPU 0). */
static inline __attribute__((always_inline)) uint32_t v2_lr(uint64_t lr)
{
	uint32_t v = (uint32_t)(lr & 0x3ff) | (uint32_t)(((lr >> LR_PRIORITY_SHIFT) & 0xff) >> 3) << 23 |
		     (uint32_t)((lr >> LR_STATE_SHIFT) & 3) << 28;
	if (lr & LR_HW)
		return v | V2_LR_HW | (uint32_t)((lr >> LR_PINTID_SHIFT) & 0x3ff) << 10;
	return v;
}

uint32_t vgic_v2_lr_value(uint64_t lr)
{
	return v2_lr(lr);
}

uintptr_t vgic_v2_gich(void)
{
	return (uintptr_t)gich(0);
}

static void v2_write_lr(unsigned n, uint64_t lr)
{
	*gich(GICH_LR0 + 4 * n) = v2_lr(lr);
}

static uint64_t v2_read_lr(unsigned n)
{
	uint32_t v = *gich(GICH_LR0 + 4 * n);
	uint64_t lr = (uint64_t)(v & 0x3ff) | (uint64_t)((v >> 23) & 0x1f) << (LR_PRIORITY_SHIFT + 3) |
		      (uint64_t)((v >> 28) & 3) << LR_STATE_SHIFT;
	if (v & V2_LR_HW)
		return lr | LR_HW | (uint64_t)((v >> 10) & 0x3ff) << LR_PINTID_SHIFT;
	return lr;
}

/* GICH_ELRSR0 bit n (IHI0048B 5.3.8): list register n is neither pending nor active and owes no
 * maintenance. */
static bool v2_refill_lr(unsigned n, uint64_t lr)
{
	if (!(*gich(GICH_ELRSR0) >> n & 1))
		return false;
	v2_write_lr(n, lr);
	return true;
}

static void v2_write_hcr(uint64_t hcr)
{
	*gich(GICH_HCR) = (uint32_t)hcr; /* En [0] and NPIE [3] sit where ICH_HCR_EL2 has them */
}

static uint64_t v2_read_hcr(void)
{
	return *gich(GICH_HCR);
}

static void v2_save(struct vgic_cpu *cpu)
{
	cpu->vmcr = *gich(GICH_VMCR);
	cpu->ap0r0 = *gich(GICH_APR);
	*gich(GICH_VMCR) = 0;
	*gich(GICH_APR) = 0;
}

static void v2_restore(const struct vgic_cpu *cpu)
{
	*gich(GICH_VMCR) = (uint32_t)cpu->vmcr;
	*gich(GICH_APR) = (uint32_t)cpu->ap0r0;
}

const struct vgic_hw vgic_v2_hw = {
	.lr_count = v2_lr_count,
	.write_lr = v2_write_lr,
	.read_lr = v2_read_lr,
	.refill_lr = v2_refill_lr,
	.write_hcr = v2_write_hcr,
	.read_hcr = v2_read_hcr,
	.save = v2_save,
	.restore = v2_restore,
};
