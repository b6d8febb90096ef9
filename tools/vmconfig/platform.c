/* SPDX-License-Identifier: Apache-2.0 */
/* `vmconfig platform BOARD.dtb`: what Tessera's bring-up finds in a board's device tree, with the
 * same parser the hypervisor boots with (src/kernel/platform_fdt.c), and what on the board it
 * could not drive. Used to check a port before any hardware is at hand (docs/porting.md) and by
 * tests/e2e/test_board_trees.py over Debian's Rockchip and ZynqMP trees. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/platform.h"
#include "lib/fdt.h"
#include "vmconfig.h"

#define MAX_TREE_BYTES (8u << 20)

static unsigned not_drivable;

static void cannot_drive(const char *what, const char *why)
{
	printf("cannot drive: %s: %s\n", what, why);
	not_drivable++;
}

/* The node's first compatible string, or "(no compatible)". */
static const char *first_compatible(const void *fdt, int node)
{
	int len;
	const char *c = fdt_getprop(fdt, node, "compatible", &len);
	return c && len > 0 && memchr(c, '\0', (size_t)len) ? c : "(no compatible)";
}

/* #interrupt-cells of the controller a node's interrupts go to (the interrupt-parent of the node
 * or of its nearest ancestor that names one): 3 for a GIC (type, number, flags), 4 where the GICv3
 * binding adds the PPI partition (RK3588). 3 when nothing says. */
static int interrupt_cells_of(const void *fdt, int node)
{
	for (int n = node; n >= 0; n = fdt_parent(fdt, n)) {
		int len;
		const uint8_t *parent = fdt_getprop(fdt, n, "interrupt-parent", &len);
		if (parent && len == 4) {
			int controller = fdt_find_phandle(fdt, fdt_be32(parent));
			return controller >= 0 ? (int)fdt_getprop_u32(fdt, controller, "#interrupt-cells", 3) : 3;
		}
	}
	return 3;
}

/* The hardware id of the first available CPU: the one the tool takes as the boot CPU. */
static int first_cpu_hwid(const void *fdt, uint64_t *hwid)
{
	int cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0)
		return -1;
	for (int node = fdt_first_child(fdt, cpus); node >= 0; node = fdt_next_sibling(fdt, node)) {
		int len;
		const char *type = fdt_getprop(fdt, node, "device_type", &len);
		uint64_t size;
		if (type && strcmp(type, "cpu") == 0 && fdt_node_is_available(fdt, node) &&
		    fdt_get_reg(fdt, node, 0, hwid, &size) == 0)
			return 0;
	}
	return -1;
}

static void report_memory(const struct boot_info *info)
{
	if (info->ram_count == 0) {
		/* Many boards' trees leave /memory to the boot loader (U-Boot fills it in). */
		printf("memory: none in the tree (the boot loader must add it)\n");
		return;
	}
	uint64_t total = 0;
	printf("memory:");
	for (unsigned i = 0; i < info->ram_count; i++) {
		printf(" [%#llx, %#llx)", (unsigned long long)info->ram[i].base,
		       (unsigned long long)(info->ram[i].base + info->ram[i].size));
		total += info->ram[i].size;
	}
	printf(" %llu MiB\n", (unsigned long long)(total >> 20));
	for (unsigned i = 0; i < info->reserved_count; i++)
		if (!info->reserved[i].name || strcmp(info->reserved[i].name, "device tree") != 0)
			printf("reserved: [%#llx, %#llx) %s\n", (unsigned long long)info->reserved[i].base,
			       (unsigned long long)(info->reserved[i].base + info->reserved[i].size),
			       info->reserved[i].name ? info->reserved[i].name : "");
}

static void report_cpus(const struct boot_info *info)
{
	printf("cpus: %u:", info->cpu_count);
	for (unsigned i = 0; i < info->cpu_count; i++)
		printf(" %#llx", (unsigned long long)info->cpu_hwids[i]);
	printf("\n");
}

/* Interrupt controllers found at all, for naming the one Tessera has no driver for. */
static void report_irqchip(const void *fdt, const struct boot_info *info)
{
	if (info->irqchip.fdt_node >= 0) {
		bool v3 = strcmp(info->irqchip.compatible, "arm,gic-v3") == 0;
		bool gic = v3 || strcmp(info->irqchip.compatible, "arm,cortex-a15-gic") == 0;
		printf("interrupt controller: %s", first_compatible(fdt, info->irqchip.fdt_node));
		if (gic)
			printf(" (GICv%d)", v3 ? 3 : 2);
		for (unsigned r = 0; r < info->irqchip.reg_count; r++)
			printf(" %#llx+%#llx", (unsigned long long)info->irqchip.regs[r],
			       (unsigned long long)info->irqchip.sizes[r]);
		printf("\n");
		return;
	}
	for (int node = fdt_next_node(fdt, -1, NULL); node >= 0; node = fdt_next_node(fdt, node, NULL)) {
		int len;
		if (fdt_getprop(fdt, node, "interrupt-controller", &len) && fdt_node_is_available(fdt, node) &&
		    !fdt_getprop(fdt, node, "interrupt-parent", &len)) {
			cannot_drive("interrupt controller", first_compatible(fdt, node));
			return;
		}
	}
	cannot_drive("interrupt controller", "none in the tree");
}

static const char *const uart_kind_names[] = {
	[UART_NONE] = "none", [UART_PL011] = "pl011", [UART_NS16550_MMIO] = "ns16550", [UART_NS16550_PIO] = "ns16550 (ports)",
	[UART_CADENCE] = "cadence",
};

static void report_console(const void *fdt, const struct boot_info *info)
{
	int chosen = platform_stdout_node(fdt);
	const struct uart_desc *c = &info->console;
	uint64_t chosen_base = 0, size;
	bool chosen_found = chosen >= 0 && fdt_get_reg(fdt, chosen, 0, &chosen_base, &size) == 0 &&
			    c->kind != UART_NONE && chosen_base == c->base;
	if (c->kind != UART_NONE)
		printf("console: %s at %#llx, reg-shift %u, reg-io-width %u, interrupt %u%s\n", uart_kind_names[c->kind],
		       (unsigned long long)c->base, c->reg_shift, c->reg_width, c->irq,
		       chosen_found ? " (stdout-path)" : " (the first UART Tessera drives: not stdout-path's)");
	if (chosen >= 0 && !chosen_found) {
		/* The UART the board's firmware prints on, which Tessera would not use. */
		int len;
		const char *path = fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "stdout-path", &len);
		char what[192];
		snprintf(what, sizeof(what), "console UART %s (stdout-path %.*s)", first_compatible(fdt, chosen),
			 path ? (int)strcspn(path, ":") : 0, path ? path : "");
		cannot_drive(what, "no driver");
	} else if (chosen < 0 && c->kind == UART_NONE) {
		cannot_drive("console UART", "no stdout-path and no UART Tessera drives");
	}
}

/* RISC-V: the timer is the SBI's (or Sstc's), counting at /cpus timebase-frequency. */
static bool report_riscv_timer(const void *fdt)
{
	int cpus = fdt_path_offset(fdt, "/cpus");
	int cpu = cpus >= 0 ? fdt_first_child(fdt, cpus) : -1;
	for (; cpu >= 0; cpu = fdt_next_sibling(fdt, cpu))
		if (fdt_node_is_compatible(fdt, cpu, "riscv"))
			break;
	if (cpu < 0)
		return false;
	uint32_t hz = fdt_getprop_u32(fdt, cpus, "timebase-frequency", 0);
	if (hz)
		printf("timer: SBI / Sstc, timebase-frequency %u Hz\n", hz);
	else
		cannot_drive("timer", "no timebase-frequency in /cpus");
	return true;
}

static void report_timer(const void *fdt)
{
	static const char *const timers[] = { "arm,armv8-timer", "arm,armv7-timer", NULL };
	if (report_riscv_timer(fdt))
		return;
	for (int node = fdt_next_node(fdt, -1, NULL); node >= 0; node = fdt_next_node(fdt, node, NULL)) {
		if (fdt_node_is_compatible_with_any(fdt, node, timers)) {
			int len, stride = 4 * interrupt_cells_of(fdt, node);
			const uint8_t *irqs = fdt_getprop(fdt, node, "interrupts", &len);
			/* Secure, non-secure physical, virtual, hypervisor PPIs (the arch timer binding), each
			 * a GIC specifier whose second cell is the PPI's number. */
			printf("timer: %s", first_compatible(fdt, node));
			if (irqs && len >= 4 * stride)
				printf(", hypervisor PPI %u, virtual PPI %u", fdt_be32(irqs + 3 * stride + 4) + 16,
				       fdt_be32(irqs + 2 * stride + 4) + 16);
			printf("\n");
			return;
		}
	}
	cannot_drive("timer", "no arm,armv8-timer node");
}

/* Reads a device tree file into memory checked; NULL after a message. */
static void *load_tree(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "vmconfig: cannot open '%s'\n", path);
		return NULL;
	}
	char *tree = malloc(MAX_TREE_BYTES);
	size_t n = tree ? fread(tree, 1, MAX_TREE_BYTES, f) : 0;
	fclose(f);
	if (!tree || fdt_check(tree, n) < 0) {
		fprintf(stderr, "vmconfig: '%s' is not a device tree\n", path);
		free(tree);
		return NULL;
	}
	return tree;
}

/* Fills info from the tree as the hypervisor would, the first CPU taken as the boot CPU. */
static int parse_board(const char *path, const void *tree, struct boot_info *info)
{
	uint64_t boot_hwid;
	memset(info, 0, sizeof(*info));
	if (first_cpu_hwid(tree, &boot_hwid) < 0 || platform_from_fdt(info, tree, boot_hwid) < 0) {
		fprintf(stderr, "vmconfig: '%s' has no CPUs Tessera can read\n", path);
		return -1;
	}
	return 0;
}

int vmconfig_platform(const char *path)
{
	void *tree = load_tree(path);
	static struct boot_info info;
	if (!tree || parse_board(path, tree, &info) < 0) {
		free(tree);
		return 2;
	}
	not_drivable = 0;
	printf("platform: %s (%s)\n", info.platform_name ? info.platform_name : "(no model)",
	       first_compatible(tree, fdt_next_node(tree, -1, NULL)));
	report_memory(&info);
	report_cpus(&info);
	report_irqchip(tree, &info);
	report_timer(tree);
	report_console(tree, &info);
	free(tree);
	return not_drivable ? 1 : 0;
}

/* ---- `vmconfig check --platform BOARD.dtb`: configs against a board's tree ---- */

static struct boot_info board_info;
static struct config_host_range board_memory[MAX_MEM_REGIONS];

int vmconfig_board_load(struct vmconfig_board *board, const char *path, struct config_platform *platform)
{
	const char *slash = strrchr(path, '/');
	board->path = slash ? slash + 1 : path; /* messages name the tree, not where it lies */
	board->tree = load_tree(path);
	if (!board->tree || parse_board(path, board->tree, &board_info) < 0)
		return -1;
	platform->cpu_count = board_info.cpu_count;
	platform->cpu_hardware_ids = board_info.cpu_hwids;
	platform->cpu_hardware_id_count = board_info.cpu_count;
	/* A tree without /memory (the boot loader adds it) leaves RAM unknown: not checked. */
	for (unsigned i = 0; i < board_info.ram_count; i++)
		board_memory[i] = (struct config_host_range){ board_info.ram[i].base, board_info.ram[i].size };
	platform->host_memory = board_info.ram_count ? board_memory : NULL;
	platform->host_memory_count = board_info.ram_count;
	return 0;
}

/* The node one of whose "reg" windows (translated to CPU addresses, rounded out to the 4 KiB
 * pages passthrough maps) holds [base, base + length), an available one first; -1 if none. */
static int node_with_window(const void *fdt, uint64_t base, uint64_t length)
{
	int disabled = -1;
	for (int node = fdt_next_node(fdt, -1, NULL); node >= 0; node = fdt_next_node(fdt, node, NULL)) {
		uint64_t at, size;
		for (int r = 0; fdt_translate_reg(fdt, node, r, &at, &size) == 0; r++) {
			uint64_t start = at & ~0xfffull, end = (at + size + 0xfff) & ~0xfffull;
			if (!size || base < start || base + length > end || base + length <= base)
				continue;
			if (fdt_node_is_available(fdt, node))
				return node;
			if (disabled < 0)
				disabled = node;
		}
	}
	return disabled;
}

/* Whether the node's "interrupts" (GIC binding: type, number, flags[, partition]; type 0 = SPI,
 * INTID 32 + n) include the INTID. */
static bool node_has_interrupt(const void *fdt, int node, uint64_t intid, bool *has_any)
{
	int len, stride = 4 * interrupt_cells_of(fdt, node);
	const uint8_t *irqs = fdt_getprop(fdt, node, "interrupts", &len);
	*has_any = irqs && len >= stride;
	for (int i = 0; irqs && stride >= 8 && i + stride <= len; i += stride) {
		uint32_t type = fdt_be32(irqs + i), number = fdt_be32(irqs + i + 4);
		if ((type == 0 ? 32u : 16u) + number == intid)
			return true;
	}
	return false;
}

void vmconfig_board_check(const struct vmconfig_board *board, const struct vm_config *config,
			  struct config_reporter *reporter)
{
	const void *fdt = board->tree;
	const char *file = config->file_name;
	char key[64];
	for (size_t i = 0; i < config->devices.passthrough_device_count; i++) {
		const struct vm_passthrough_device *d = &config->devices.passthrough_devices[i];
		snprintf(key, sizeof(key), "devices.passthrough_devices[%zu]", i);
		if (d->is_device_tree_path) {
			if (fdt_path_offset(fdt, d->name) < 0)
				config_report(reporter, CONFIG_ERROR, file, d->line, key, "'%s' is not in %s", d->name,
					      board->path);
			continue;
		}
		int node = node_with_window(fdt, d->base_hpa, d->length);
		if (node < 0) {
			config_report(reporter, CONFIG_ERROR, file, d->line, key,
				      "[%#llx, +%#llx) is no device's window in %s", (unsigned long long)d->base_hpa,
				      (unsigned long long)d->length, board->path);
			continue;
		}
		if (!fdt_node_is_available(fdt, node))
			config_report(reporter, CONFIG_WARNING, file, d->line, key,
				      "[%#llx, +%#llx) is %s's, which %s disables",
				      (unsigned long long)d->base_hpa, (unsigned long long)d->length,
				      fdt_node_name(fdt, node), board->path);
		bool has_any;
		if (d->irq && !node_has_interrupt(fdt, node, d->irq, &has_any) && has_any)
			config_report(reporter, CONFIG_ERROR, file, d->line, key,
				      "interrupt %llu is not one of %s's in %s", (unsigned long long)d->irq,
				      fdt_node_name(fdt, node), board->path);
	}
	for (size_t i = 0; i < config->devices.excluded_device_count; i++) {
		const struct vm_excluded_device *e = &config->devices.excluded_devices[i];
		snprintf(key, sizeof(key), "devices.excluded_devices[%zu]", i);
		if (fdt_path_offset(fdt, e->path) < 0)
			config_report(reporter, CONFIG_ERROR, file, e->line, key, "'%s' is not in %s", e->path,
				      board->path);
	}
}

/* ---- one owner per device across the configs checked together ---- */

/* The node's path ("/axi/serial@ff000000"); "/" for the root. */
static void node_path(const void *fdt, int node, char *out, size_t size)
{
	int chain[64], depth = 0;
	for (int n = node; n > 0 && depth < 64; n = fdt_parent(fdt, n))
		chain[depth++] = n;
	size_t used = 0;
	out[0] = '\0';
	while (depth-- > 0 && used + 2 < size)
		used += (size_t)snprintf(out + used, size - used, "/%s", fdt_node_name(fdt, chain[depth]));
	if (!used)
		snprintf(out, size, "/");
}

/* Whether path is prefix or inside its subtree. */
static bool in_subtree(const char *path, const char *prefix)
{
	if (strcmp(prefix, "/") == 0)
		return true;
	size_t n = strlen(prefix);
	return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Whether the config's VM gets the node (path given), as the hypervisor's passthrough would hand
 * it out: a passed path's whole subtree less the excluded subtrees, or a tuple window in the
 * node's reg. *line: the entry's line. */
static bool config_gets(const void *fdt, const struct vm_config *c, int node, const char *path, uint32_t *line)
{
	for (size_t i = 0; i < c->devices.excluded_device_count; i++)
		if (in_subtree(path, c->devices.excluded_devices[i].path))
			return false;
	for (size_t i = 0; i < c->devices.passthrough_device_count; i++) {
		const struct vm_passthrough_device *d = &c->devices.passthrough_devices[i];
		if (d->is_device_tree_path ? in_subtree(path, d->name)
					   : node_with_window(fdt, d->base_hpa, d->length) == node) {
			*line = d->line;
			return true;
		}
	}
	return false;
}

void vmconfig_board_check_owners(const struct vmconfig_board *board, const struct vm_config *configs, size_t count,
				 struct config_reporter *reporter)
{
	const void *fdt = board->tree;
	char path[256], key[64];
	/* Each device a config names (a path's own node, a window's node) must be no other's. */
	for (size_t b = 0; b < count; b++) {
		const struct vm_config *named = &configs[b];
		for (size_t i = 0; i < named->devices.passthrough_device_count; i++) {
			const struct vm_passthrough_device *d = &named->devices.passthrough_devices[i];
			int node = d->is_device_tree_path ? fdt_path_offset(fdt, d->name)
							  : node_with_window(fdt, d->base_hpa, d->length);
			if (node <= 0 || (d->is_device_tree_path && strcmp(d->name, "/") == 0))
				continue; /* not in the tree (reported), or the whole machine: others name its parts */
			node_path(fdt, node, path, sizeof(path));
			for (size_t a = 0; a < count; a++) {
				uint32_t line;
				if (a == b || !config_gets(fdt, &configs[a], node, path, &line))
					continue;
				snprintf(key, sizeof(key), "devices.passthrough_devices[%zu]", i);
				config_report(reporter, CONFIG_ERROR, named->file_name, d->line, key,
					      "%s is also VM %llu's (%s:%u): a device has one owner", path,
					      (unsigned long long)configs[a].base.id.value, configs[a].file_name, line);
			}
		}
	}
}
