/* SPDX-License-Identifier: Apache-2.0 */
/* The RISC-V Advanced Interrupt Architecture as the host's interrupt controller (AIA 1.0): the
 * supervisor-level APLIC domain ("riscv,aplic") in MSI delivery mode turns each wired source into
 * a message to a hart's supervisor interrupt file in its IMSIC ("riscv,imsics"), where the
 * hypervisor claims it through stopei. Source n is sent as identity n, so interrupt numbers are
 * the APLIC's source numbers, as with the PLIC.
 *  - The APLIC domain chosen is the leaf one: a domain that delegates its sources to children
 *    ("riscv,children", QEMU virt's machine-level one) belongs to the firmware, which also walls it
 *    off from S-mode. OpenSBI delegates every source to the supervisor domain and programs the
 *    MSI addresses (smsiaddrcfg), which S-mode cannot reach: the hypervisor writes only domaincfg,
 *    sourcecfg, target and the enables (4.5).
 *  - Sources are level-high (the devices of QEMU virt and of most boards). In MSI mode a level
 *    source sends one message per rising edge of its pending bit (4.9.2), so at completion and at
 *    enabling, a source whose rectified input is still high is made pending again (setipnum): a
 *    device that still asserts its line interrupts again, as with the PLIC's level gateway.
 *  - The IMSIC's guest interrupt files (riscv,guest-index-bits) are what guests get
 *    (drivers/aia.h): the page of file g of hart h is base + h * 2^(guest bits + 12) + g * 4 KiB
 *    (3.6). A source passed through to a VM with such files is sent straight to its vCPU's file
 *    (aia_source_to_guest), in the guest's own mode, identity and enable. IPIs stay SBI's (the
 *    firmware keeps the machine-level files).
 * Routing: irq_enable() targets the calling CPU's supervisor file. */
#include "arch/cpu.h"
#include "arch_impl/aia.h"
#include "drivers/aia.h"
#include "kernel/driver.h"
#include "kernel/irq.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/platform.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/fdt.h"

/* APLIC registers (4.5). */
#define APLIC_DOMAINCFG 0x0000
#define APLIC_DOMAINCFG_IE (1u << 8)
#define APLIC_DOMAINCFG_DM (1u << 2)
#define APLIC_SOURCECFG(n) (0x0004 + 4 * ((n) - 1))
#define APLIC_SOURCECFG_LEVEL_HIGH 6u
#define APLIC_SETIP 0x1c00
#define APLIC_SETIPNUM 0x1cdc
#define APLIC_IN_CLRIP 0x1d00
#define APLIC_CLRIPNUM 0x1ddc
#define APLIC_SETIENUM 0x1edc
#define APLIC_CLRIENUM 0x1fdc
#define APLIC_TARGET(n) (0x3004 + 4 * ((n) - 1))
#define APLIC_TARGET_HART_SHIFT 18
#define APLIC_TARGET_GUEST_SHIFT 12
#define APLIC_MAX_SOURCES 1023
#define CAUSE_S_EXTERNAL 9
#define IMSIC_PAGE 0x1000u

static uintptr_t aplic_base;
static unsigned source_count;
static paddr_t imsic_base;
static unsigned guest_index_bits, num_ids;
/* Per CPU: its hart's position in the IMSIC's interrupts-extended (the hart index of 3.6, 4.5.16). */
static unsigned hart_index[MAX_CPUS];
static bool hart_found[MAX_CPUS];

static volatile uint32_t *aplic_reg(uintptr_t offset)
{
	return (volatile uint32_t *)(aplic_base + offset);
}

unsigned aia_guest_files(void)
{
	return imsic_base ? (1u << guest_index_bits) - 1 : 0;
}

unsigned aia_num_ids(void)
{
	return num_ids;
}

paddr_t aia_guest_file_page(unsigned cpu_index, unsigned file)
{
	if (cpu_index >= MAX_CPUS || !hart_found[cpu_index] || file == 0 || file > aia_guest_files())
		return 0;
	return imsic_base + ((paddr_t)hart_index[cpu_index] << (guest_index_bits + 12)) + (paddr_t)file * IMSIC_PAGE;
}

/* The hart of each supervisor-level entry of the IMSIC's interrupts-extended, in order. */
static int find_harts(const void *fdt, int imsic)
{
	int len;
	const uint8_t *cells = fdt_getprop(fdt, imsic, "interrupts-extended", &len);
	if (!cells || len < 8)
		return -EINVAL;
	unsigned found = 0;
	for (int at = 0, index = 0; at + 8 <= len; at += 8, index++) {
		int intc = fdt_find_phandle(fdt, fdt_be32(cells + at));
		int cpu = intc >= 0 ? fdt_parent(fdt, intc) : -1;
		uint64_t hartid, size;
		if (fdt_be32(cells + at + 4) != CAUSE_S_EXTERNAL || cpu < 0 || fdt_get_reg(fdt, cpu, 0, &hartid, &size) != 0)
			continue;
		const struct boot_info *info = platform_boot_info;
		for (unsigned c = 0; c < info->cpu_count && c < MAX_CPUS; c++) {
			if (info->cpu_hwids[c] == hartid) {
				hart_index[c] = (unsigned)index;
				hart_found[c] = true;
				found++;
			}
		}
	}
	return found ? 0 : -ENOENT;
}

static int aia_init(const struct irqchip_desc *desc, const void *fdt)
{
	if (desc->reg_count < 1 || !desc->regs[0] || !fdt || desc->fdt_node < 0)
		return -EINVAL;
	aplic_base = (uintptr_t)desc->regs[0];
	source_count = fdt_getprop_u32(fdt, desc->fdt_node, "riscv,num-sources", 0);
	if (source_count == 0 || source_count > APLIC_MAX_SOURCES) {
		log_error("APLIC riscv,num-sources is %u; expected 1..%u", source_count, APLIC_MAX_SOURCES);
		return -EINVAL;
	}
	int imsic = fdt_find_phandle(fdt, fdt_getprop_u32(fdt, desc->fdt_node, "msi-parent", 0));
	uint64_t size;
	if (imsic < 0 || !fdt_node_is_compatible(fdt, imsic, "riscv,imsics") || fdt_get_reg(fdt, imsic, 0, &imsic_base, &size) != 0) {
		log_error("APLIC has no IMSIC (msi-parent): direct delivery mode is not supported");
		imsic_base = 0;
		return -ENODEV;
	}
	guest_index_bits = fdt_getprop_u32(fdt, imsic, "riscv,guest-index-bits", 0);
	num_ids = fdt_getprop_u32(fdt, imsic, "riscv,num-ids", 0);
	if (guest_index_bits > 6 || num_ids < 63 || num_ids > 2047 || find_harts(fdt, imsic) != 0) {
		log_error("IMSIC: guest-index-bits %u, num-ids %u or its harts not usable", guest_index_bits, num_ids);
		imsic_base = 0;
		return -EINVAL;
	}
	if (source_count > num_ids)
		source_count = num_ids; /* source n is sent as identity n */
	/* MSI delivery, interrupts on (4.5.1); QEMU's domain has DM fixed by the machine. */
	*aplic_reg(APLIC_DOMAINCFG) = APLIC_DOMAINCFG_IE | APLIC_DOMAINCFG_DM;
	if (!(*aplic_reg(APLIC_DOMAINCFG) & APLIC_DOMAINCFG_DM)) {
		log_error("APLIC stays in direct delivery mode: not supported");
		return -ENODEV;
	}
	for (unsigned n = 1; n <= source_count; n++) {
		*aplic_reg(APLIC_CLRIENUM) = n;
		*aplic_reg(APLIC_SOURCECFG(n)) = APLIC_SOURCECFG_LEVEL_HIGH;
	}
	log_info("AIA: APLIC at %#lx with %u sources, IMSIC at %#llx: %u identities, %u guest files per hart",
		 (unsigned long)aplic_base, source_count, (unsigned long long)imsic_base, num_ids, aia_guest_files());
	return 0;
}

/* The supervisor file of this hart: delivery on, no threshold, nothing enabled yet (3.8). */
static void aia_init_cpu(unsigned cpu_index)
{
	if (!hart_found[cpu_index]) {
		log_error("IMSIC has no supervisor file for CPU %u; its external interrupts stay off", cpu_index);
		return;
	}
	for (unsigned id = 0; id <= num_ids; id += 64) {
		imsic_s_write(imsic_bits_reg(IMSIC_EIE0, id), 0);
		imsic_s_write(imsic_bits_reg(IMSIC_EIP0, id), 0);
	}
	imsic_s_write(IMSIC_EITHRESHOLD, 0);
	imsic_s_write(IMSIC_EIDELIVERY, 1);
	csr_set(sie, SIE_SEIE);
	/* Guest files whose vCPU is not loaded interrupt the hypervisor through hgeie (scause 12),
	 * which stays 0 until a vCPU is given one; its enable is hie.SGEIE, not in sie (H extension,
	 * 8.2.3). */
	csr_write(hgeie, 0);
	if (aia_guest_files())
		csr_set(hie, SIE_SGEIE);
}

static bool input_high(unsigned irq)
{
	return (*aplic_reg(APLIC_IN_CLRIP + 4 * (irq / 32)) >> (irq % 32)) & 1;
}

/* A level source still asserted sends again (see the top). */
static void retrigger_if_asserted(unsigned irq)
{
	if (input_high(irq))
		*aplic_reg(APLIC_SETIPNUM) = irq;
}

static void aia_enable(unsigned irq)
{
	unsigned cpu = this_cpu()->id;
	if (irq == 0 || irq > source_count || !hart_found[cpu])
		return;
	unsigned long flags = arch_irq_save();
	unsigned long reg = imsic_bits_reg(IMSIC_EIE0, irq);
	imsic_s_write(reg, imsic_s_read(reg) | 1UL << (irq % 64));
	arch_irq_restore(flags);
	*aplic_reg(APLIC_TARGET(irq)) = hart_index[cpu] << APLIC_TARGET_HART_SHIFT | irq;
	*aplic_reg(APLIC_SETIENUM) = irq;
	retrigger_if_asserted(irq);
}

static void aia_disable(unsigned irq)
{
	if (irq != 0 && irq <= source_count)
		*aplic_reg(APLIC_CLRIENUM) = irq;
}

static unsigned aia_claim(void)
{
	unsigned id = imsic_s_claim();
	return id ? id : IRQ_NONE;
}

static void aia_complete(unsigned irq)
{
	if (irq != 0 && irq <= source_count)
		retrigger_if_asserted(irq);
}

static bool valid_source(unsigned source)
{
	return source != 0 && source <= source_count;
}

void aia_source_to_guest(unsigned source, unsigned cpu_index, unsigned file, unsigned eiid, unsigned mode, bool enabled)
{
	if (!valid_source(source) || cpu_index >= MAX_CPUS || !hart_found[cpu_index])
		return;
	*aplic_reg(APLIC_CLRIENUM) = source;
	/* The mode first: an inactive source's target is read-only zero (4.5.16). */
	*aplic_reg(APLIC_SOURCECFG(source)) = mode;
	*aplic_reg(APLIC_TARGET(source)) = hart_index[cpu_index] << APLIC_TARGET_HART_SHIFT |
					   (file & 0x3f) << APLIC_TARGET_GUEST_SHIFT | (eiid & 0x7ff);
	if (!enabled || mode == 0)
		return;
	*aplic_reg(APLIC_SETIENUM) = source;
	if (mode >= APLIC_SOURCECFG_LEVEL_HIGH)
		retrigger_if_asserted(source);
}

void aia_source_to_host(unsigned source)
{
	if (!valid_source(source))
		return;
	*aplic_reg(APLIC_CLRIENUM) = source;
	*aplic_reg(APLIC_SOURCECFG(source)) = APLIC_SOURCECFG_LEVEL_HIGH;
	*aplic_reg(APLIC_CLRIPNUM) = source;
}

void aia_source_set_pending(unsigned source, bool pending)
{
	if (!valid_source(source))
		return;
	if (!pending) {
		*aplic_reg(APLIC_CLRIPNUM) = source;
		return;
	}
	/* A level source only while asserted (4.7), checked here: QEMU 7.2's APLIC in MSI mode sets
	 * it pending regardless, and Linux's end of every level interrupt would then send it again,
	 * endlessly, once the device has let go. */
	if ((*aplic_reg(APLIC_SOURCECFG(source)) & 7) >= APLIC_SOURCECFG_LEVEL_HIGH)
		retrigger_if_asserted(source);
	else
		*aplic_reg(APLIC_SETIPNUM) = source;
}

bool aia_source_pending(unsigned source)
{
	return valid_source(source) && ((*aplic_reg(APLIC_SETIP + 4 * (source / 32)) >> (source % 32)) & 1);
}

bool aia_source_input(unsigned source)
{
	return valid_source(source) && input_high(source);
}

static const struct irqchip_ops aia_ops = {
	.name = "AIA",
	.init = aia_init,
	.init_cpu = aia_init_cpu,
	.enable = aia_enable,
	.disable = aia_disable,
	.claim = aia_claim,
	.complete = aia_complete,
	.send_ipi = NULL,
};

static const char *const aia_compatible[] = { "riscv,aplic", NULL };

static const struct driver aia_driver = {
	.class = DRIVER_IRQCHIP,
	.name = "aia",
	.compatible = aia_compatible,
	.ops = &aia_ops,
};
DRIVER_REGISTER(aia_driver);
