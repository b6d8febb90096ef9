/* SPDX-License-Identifier: Apache-2.0 */
/* Platform discovery from a flattened device tree (see kernel/platform.h): RAM, reserved ranges,
 * CPUs, the console UART and the interrupt controller. Bindings: Devicetree Specification v0.4
 * (memory 3.4, reserved-memory 3.5, chosen 3.6, cpus 3.7-3.8) and Linux's bindings for the GIC,
 * PLIC and UARTs. */
#include "kernel/platform.h"
#include "lib/fdt.h"
#include "lib/errno.h"
#include "lib/string.h"

void platform_add_reserved(struct boot_info *info, paddr_t base, uint64_t size, const char *name)
{
	if (info->reserved_count >= MAX_MEM_REGIONS) {
		info->reserved_lost++;
		return;
	}
	info->reserved[info->reserved_count++] = (struct mem_region){ base, size, name };
}

static void add_ram(struct boot_info *info, const void *fdt, int node)
{
	uint64_t base, size;
	for (int i = 0; fdt_get_reg(fdt, node, i, &base, &size) == 0; i++) {
		if (size && info->ram_count < MAX_MEM_REGIONS)
			info->ram[info->ram_count++] = (struct mem_region){ base, size, "RAM" };
	}
}

static void find_memory(struct boot_info *info, const void *fdt)
{
	for (int node = fdt_next_node(fdt, -1, NULL); node >= 0; node = fdt_next_node(fdt, node, NULL)) {
		int len;
		const char *type = fdt_getprop(fdt, node, "device_type", &len);
		if (type && len >= 7 && strcmp(type, "memory") == 0 && fdt_node_is_available(fdt, node))
			add_ram(info, fdt, node);
	}
}

/* The header's memory reservation block (spec 5.3) and /reserved-memory children (3.5). */
static void find_reserved(struct boot_info *info, const void *fdt)
{
	platform_add_reserved(info, (paddr_t)(uintptr_t)fdt, fdt_total_size(fdt), "device tree");
	const uint8_t *rsv = (const uint8_t *)fdt + fdt_be32((const uint8_t *)fdt + 16);
	const uint8_t *limit = (const uint8_t *)fdt + fdt_total_size(fdt);
	for (; rsv + 16 <= limit; rsv += 16) {
		uint64_t base = fdt_read_cells(rsv, 2), size = fdt_read_cells(rsv + 8, 2);
		if (!size)
			break;
		platform_add_reserved(info, base, size, "reserved (rsvmap)");
	}
	int parent = fdt_path_offset(fdt, "/reserved-memory");
	if (parent < 0)
		return;
	for (int node = fdt_first_child(fdt, parent); node >= 0; node = fdt_next_sibling(fdt, node)) {
		uint64_t base, size;
		for (int i = 0; fdt_get_reg(fdt, node, i, &base, &size) == 0; i++)
			platform_add_reserved(info, base, size, fdt_node_name(fdt, node));
	}
}

static int find_cpus(struct boot_info *info, const void *fdt, uint64_t boot_hwid)
{
	int cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0)
		return -EINVAL;
	info->cpu_count = 1;
	info->cpu_hwids[0] = boot_hwid;
	bool boot_seen = false;
	for (int node = fdt_first_child(fdt, cpus); node >= 0; node = fdt_next_sibling(fdt, node)) {
		int len;
		const char *type = fdt_getprop(fdt, node, "device_type", &len);
		if (!type || strcmp(type, "cpu") != 0 || !fdt_node_is_available(fdt, node))
			continue;
		uint64_t hwid, unused;
		if (fdt_get_reg(fdt, node, 0, &hwid, &unused) < 0)
			continue;
		if (hwid == boot_hwid) {
			boot_seen = true;
			continue;
		}
		if (info->cpu_count < MAX_CPUS)
			info->cpu_hwids[info->cpu_count++] = hwid;
	}
	return boot_seen ? 0 : -EINVAL;
}

static const char *const ns16550_compatibles[] = { "ns16550a", "ns16550", "snps,dw-apb-uart", NULL };

/* Zynq's and ZynqMP's trees name the Cadence UART by Xilinx's name first. */
static const char *const cadence_compatibles[] = { "cdns,uart-r1p12", "xlnx,xuartps", "xlnx,zynqmp-uart", NULL };

static enum uart_kind uart_kind_of(const void *fdt, int node)
{
	if (fdt_node_is_compatible(fdt, node, "arm,pl011"))
		return UART_PL011;
	if (fdt_node_is_compatible_with_any(fdt, node, cadence_compatibles))
		return UART_CADENCE;
	for (const char *const *c = ns16550_compatibles; *c; c++)
		if (fdt_node_is_compatible(fdt, node, *c))
			return UART_NS16550_MMIO;
	return UART_NONE;
}

int platform_stdout_node(const void *fdt)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen < 0)
		return -ENOENT;
	int len;
	const char *path = fdt_getprop(fdt, chosen, "stdout-path", &len);
	if (!path)
		path = fdt_getprop(fdt, chosen, "linux,stdout-path", &len);
	if (!path || len <= 1)
		return -ENOENT;
	char buf[128];
	size_t n = strnlen(path, (size_t)len);
	const char *colon = memchr(path, ':', n);
	if (colon)
		n = (size_t)(colon - path);
	if (n >= sizeof(buf))
		return -ENOENT;
	memcpy(buf, path, n);
	buf[n] = '\0';
	if (buf[0] != '/') {
		int aliases = fdt_path_offset(fdt, "/aliases");
		const char *target = aliases >= 0 ? fdt_getprop(fdt, aliases, buf, &len) : NULL;
		return target ? fdt_path_offset(fdt, target) : -ENOENT;
	}
	return fdt_path_offset(fdt, buf);
}

static void find_console(struct boot_info *info, const void *fdt)
{
	int node = platform_stdout_node(fdt);
	if (node < 0 || uart_kind_of(fdt, node) == UART_NONE) {
		for (node = fdt_next_node(fdt, -1, NULL); node >= 0; node = fdt_next_node(fdt, node, NULL))
			if (uart_kind_of(fdt, node) != UART_NONE && fdt_node_is_available(fdt, node))
				break;
	}
	uint64_t base, size;
	if (node < 0 || fdt_get_reg(fdt, node, 0, &base, &size) < 0)
		return;
	info->console.kind = uart_kind_of(fdt, node);
	info->console.base = base;
	info->console.reg_shift = fdt_getprop_u32(fdt, node, "reg-shift", 0);
	info->console.reg_width = fdt_getprop_u32(fdt, node, "reg-io-width", 1);
	int len;
	const uint8_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
	/* GIC bindings use three cells (type, number, flags); PLIC sources use one. */
	if (irq && len >= 12)
		info->console.irq = fdt_be32(irq + 4) + (fdt_be32(irq) == 0 ? 32 : 16);
	else if (irq && len >= 4)
		info->console.irq = fdt_be32(irq);
}

/* Interrupt controllers Tessera drives, mapped to the name its driver registers. */
static const struct {
	const char *compatible;
	const char *driver;
} irqchips[] = {
	{ "arm,gic-v3", "arm,gic-v3" },
	{ "arm,cortex-a15-gic", "arm,cortex-a15-gic" },
	{ "arm,gic-400", "arm,cortex-a15-gic" },
	{ "riscv,plic0", "riscv,plic0" },
	{ "sifive,plic-1.0.0", "riscv,plic0" },
	{ "riscv,aplic", "riscv,aplic" },
};

/* A RISC-V APLIC domain that delegates its sources to child domains is the firmware's (AIA 1.0,
 * 4.5.2: the machine-level root on QEMU virt, which OpenSBI walls off from S-mode): the hypervisor
 * drives a leaf one. */
static bool delegates_to_children(const void *fdt, int node)
{
	int len;
	return fdt_node_is_compatible(fdt, node, "riscv,aplic") && fdt_getprop(fdt, node, "riscv,children", &len);
}

static void find_irqchip(struct boot_info *info, const void *fdt)
{
	info->irqchip.fdt_node = -1;
	for (unsigned i = 0; i < ARRAY_SIZE(irqchips); i++) {
		int node = fdt_find_compatible(fdt, -1, irqchips[i].compatible);
		while (node >= 0 && delegates_to_children(fdt, node))
			node = fdt_find_compatible(fdt, node, irqchips[i].compatible);
		if (node < 0 || !fdt_node_is_available(fdt, node))
			continue;
		info->irqchip.compatible = irqchips[i].driver;
		info->irqchip.fdt_node = node;
		for (unsigned r = 0; r < ARRAY_SIZE(info->irqchip.regs); r++) {
			if (fdt_get_reg(fdt, node, (int)r, &info->irqchip.regs[r], &info->irqchip.sizes[r]) < 0)
				break;
			info->irqchip.reg_count = r + 1;
		}
		return;
	}
}

int platform_from_fdt(struct boot_info *info, const void *fdt, uint64_t boot_hwid)
{
	if (fdt_check(fdt, MiB(2)) < 0)
		return -EINVAL;
	info->fdt = fdt;
	int root = fdt_next_node(fdt, -1, NULL);
	int len;
	info->platform_name = fdt_getprop(fdt, root, "model", &len);
	int chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen >= 0)
		info->cmdline = fdt_getprop(fdt, chosen, "bootargs", &len);
	find_memory(info, fdt);
	find_reserved(info, fdt);
	find_console(info, fdt);
	find_irqchip(info, fdt);
	return find_cpus(info, fdt, boot_hwid);
}
