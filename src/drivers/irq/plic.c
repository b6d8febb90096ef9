/* SPDX-License-Identifier: Apache-2.0 */
/* RISC-V Platform-Level Interrupt Controller ("riscv,plic0", "sifive,plic-1.0.0"), per the
 * RISC-V PLIC Specification v1.0.0, "Memory Map":
 *   priority of source n      base + 4 * n               (n = 1..ndev; 0 = never interrupts)
 *   enable bits of context c  base + 0x2000 + 0x80 * c
 *   threshold of context c    base + 0x200000 + 0x1000 * c
 *   claim/complete of c       base + 0x200004 + 0x1000 * c
 * Contexts are numbered in the order of the node's "interrupts-extended" entries; each entry
 * names a hart's local interrupt controller and a cause, and the hypervisor uses the entries with
 * cause 9, the supervisor external interrupt (privileged spec 20211203, table 4.2). Contexts of
 * M-mode (cause 11) belong to the firmware and are never touched.
 * Routing: irq_enable() sends a source to the CPU that enables it. Enable bits are updated under
 * plic_lock; claim and complete touch only the calling CPU's context. */
#include "arch_impl/csr.h"
#include "kernel/driver.h"
#include "kernel/irq.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/fdt.h"

#define PLIC_PRIORITY 0x0
#define PLIC_ENABLE 0x2000
#define PLIC_ENABLE_STRIDE 0x80
#define PLIC_THRESHOLD 0x200000
#define PLIC_CLAIM 0x200004
#define PLIC_CONTEXT_STRIDE 0x1000
#define PLIC_MAX_SOURCES 1023
#define PLIC_DEFAULT_PRIORITY 1
#define CAUSE_S_EXTERNAL 9
#define MAX_S_CONTEXTS (MAX_CPUS * 2)

struct s_context {
	uint64_t hartid;
	unsigned context;
};

static uintptr_t plic_base;
static unsigned source_count; /* sources 1..source_count exist */
static struct s_context s_contexts[MAX_S_CONTEXTS];
static unsigned s_context_count;
static struct spinlock plic_lock = SPINLOCK_INIT;
/* Each CPU's S-mode context + 1 (0: none), found once at its set-up: every claim, completion
 * and enable asks for it, and the search by hart id cost some 70 instructions an interrupt. */
static int cpu_context_plus_one[MAX_CPUS];

static volatile uint32_t *reg(uintptr_t offset)
{
	return (volatile uint32_t *)(plic_base + offset);
}

static volatile uint32_t *enable_word(unsigned context, unsigned irq)
{
	return reg(PLIC_ENABLE + PLIC_ENABLE_STRIDE * context + 4 * (irq / 32));
}

static int context_of_hart(uint64_t hartid)
{
	for (unsigned i = 0; i < s_context_count; i++) {
		if (s_contexts[i].hartid == hartid)
			return (int)s_contexts[i].context;
	}
	return -ENOENT;
}

static int this_cpu_context(void)
{
	int known = cpu_context_plus_one[this_cpu()->id];
	return known ? known - 1 : context_of_hart(this_cpu()->hwid); /* before its set-up */
}

/* Walks "interrupts-extended" and records every S-mode external context with its hart id. */
static int find_s_contexts(const void *fdt, int node)
{
	int len;
	const uint8_t *cells = fdt_getprop(fdt, node, "interrupts-extended", &len);
	if (!cells || len < 8) {
		log_error("PLIC node has no interrupts-extended; cannot find the harts' contexts");
		return -EINVAL;
	}
	unsigned context = 0;
	for (int at = 0; at + 4 <= len; context++) {
		int intc = fdt_find_phandle(fdt, fdt_be32(cells + at));
		if (intc < 0)
			return -EINVAL;
		int ncells = (int)fdt_getprop_u32(fdt, intc, "#interrupt-cells", 1);
		if (ncells < 1 || at + 4 + 4 * ncells > len)
			return -EINVAL;
		uint32_t cause = fdt_be32(cells + at + 4);
		at += 4 + 4 * ncells;
		uint64_t hartid, size;
		int cpu = fdt_parent(fdt, intc);
		if (cause != CAUSE_S_EXTERNAL || cpu < 0 || fdt_get_reg(fdt, cpu, 0, &hartid, &size) != 0)
			continue;
		if (s_context_count == MAX_S_CONTEXTS)
			break;
		s_contexts[s_context_count++] = (struct s_context){ .hartid = hartid, .context = context };
	}
	return s_context_count ? 0 : -ENOENT;
}

static int plic_init(const struct irqchip_desc *desc, const void *fdt)
{
	if (desc->reg_count < 1 || !desc->regs[0] || !fdt || desc->fdt_node < 0)
		return -EINVAL;
	plic_base = (uintptr_t)desc->regs[0];
	source_count = fdt_getprop_u32(fdt, desc->fdt_node, "riscv,ndev", 0);
	if (source_count == 0 || source_count > PLIC_MAX_SOURCES) {
		log_error("PLIC riscv,ndev is %u; expected 1..%u", source_count, PLIC_MAX_SOURCES);
		return -EINVAL;
	}
	int err = find_s_contexts(fdt, desc->fdt_node);
	if (err) {
		log_error("PLIC: no supervisor-mode context found in interrupts-extended (%d)", err);
		return err;
	}
	/* Every source masked in every S context, every CPU's threshold above all priorities until
	 * its init_cpu, and every source at the same priority so only enable bits matter. */
	for (unsigned i = 0; i < s_context_count; i++) {
		unsigned context = s_contexts[i].context;
		for (unsigned word = 0; word <= source_count / 32; word++)
			*reg(PLIC_ENABLE + PLIC_ENABLE_STRIDE * context + 4 * word) = 0;
		*reg(PLIC_THRESHOLD + PLIC_CONTEXT_STRIDE * context) = PLIC_DEFAULT_PRIORITY;
	}
	for (unsigned irq = 1; irq <= source_count; irq++)
		*reg(PLIC_PRIORITY + 4 * irq) = PLIC_DEFAULT_PRIORITY;
	log_info("PLIC at %#lx: %u sources, %u S-mode contexts", (unsigned long)plic_base, source_count,
		 s_context_count);
	return 0;
}

static void plic_init_cpu(unsigned cpu_index)
{
	uint64_t hartid = percpu_of(cpu_index)->hwid;
	int context = context_of_hart(hartid);
	if (context < 0) {
		log_error("PLIC has no S-mode context for hart %lu (CPU %u); its external interrupts stay off",
			  (unsigned long)hartid, cpu_index);
		return;
	}
	cpu_context_plus_one[cpu_index] = context + 1;
	*reg(PLIC_THRESHOLD + PLIC_CONTEXT_STRIDE * (unsigned)context) = 0;
	csr_set(sie, SIE_SEIE);
}

/* Enabling routes the source to this CPU's context alone; disabling masks it with priority 0
 * (PLIC spec 1.0.0, 4) and leaves the enable bits: a completion for a source not enabled for the
 * context is ignored (8), and a handler that masks the source it is handling (a passthrough one,
 * until the guest completes it) must still have the driver's completion count. */
static void plic_enable(unsigned irq)
{
	int target = this_cpu_context();
	if (irq == 0 || irq > source_count || target < 0)
		return;
	unsigned long flags = spin_lock_irqsave(&plic_lock);
	*reg(PLIC_PRIORITY + 4 * irq) = PLIC_DEFAULT_PRIORITY;
	for (unsigned i = 0; i < s_context_count; i++) {
		volatile uint32_t *word = enable_word(s_contexts[i].context, irq);
		if ((int)s_contexts[i].context == target)
			*word |= 1u << (irq % 32);
		else
			*word &= ~(1u << (irq % 32));
	}
	spin_unlock_irqrestore(&plic_lock, flags);
}

static void plic_disable(unsigned irq)
{
	if (irq == 0 || irq > source_count)
		return;
	*reg(PLIC_PRIORITY + 4 * irq) = 0;
}

static unsigned plic_claim(void)
{
	int context = this_cpu_context();
	if (context < 0)
		return IRQ_NONE;
	uint32_t irq = *reg(PLIC_CLAIM + PLIC_CONTEXT_STRIDE * (unsigned)context);
	return irq ? irq : IRQ_NONE;
}

static void plic_complete(unsigned irq)
{
	int context = this_cpu_context();
	if (context >= 0)
		*reg(PLIC_CLAIM + PLIC_CONTEXT_STRIDE * (unsigned)context) = irq;
}

static const struct irqchip_ops plic_ops = {
	.name = "PLIC",
	.init = plic_init,
	.init_cpu = plic_init_cpu,
	.enable = plic_enable,
	.disable = plic_disable,
	.claim = plic_claim,
	.complete = plic_complete,
	.send_ipi = NULL,
};

static const char *const plic_compatible[] = { "sifive,plic-1.0.0", "riscv,plic0", NULL };

static const struct driver plic_driver = {
	.class = DRIVER_IRQCHIP,
	.name = "plic",
	.compatible = plic_compatible,
	.ops = &plic_ops,
};
DRIVER_REGISTER(plic_driver);
