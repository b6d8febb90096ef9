/* SPDX-License-Identifier: Apache-2.0 */
/* Device-tree passthrough (see vmm/dt_passthrough.h). The host tree is read once into three
 * tables indexed by node (document order): offset, parent, state. Every later pass is a loop over
 * those tables, so a hostile or merely large tree costs time linear in its size per pass, and the
 * passes are bounded. */
#include "vmm/dt_passthrough.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "lib/errno.h"
#include "lib/fdt.h"
#include "lib/string.h"

/* A real board's tree has a few thousand nodes at most (an RK3588's about 1500). */
#define MAX_NODES 8192
#define MAX_DEPTH 32

enum node_state {
	NODE_UNUSED,   /* not named by any entry */
	NODE_PASSED,   /* copied into the guest tree, its windows mapped, its interrupts routed */
	NODE_BUS,      /* not passed itself, but above passed nodes: written with its addressing only */
	NODE_EXCLUDED, /* in an excluded_devices subtree */
	NODE_KEPT,     /* the hypervisor's or the VM's own (generated) */
	NODE_DROPPED,  /* would have been passed, but cannot be (logged) */
};

/* "VM[id] name: " for the log lines, as vm_log_* writes it. */
#define VM_LABEL "VM[%llu] %s: "
#define VM_LABEL_ARGS(config) (unsigned long long)(config)->base.id.value, (config)->base.name.value

/* Reads the tree into p's tables. */
static int read_tree(struct dt_passthrough *p)
{
	unsigned count = 0;
	for (int n = fdt_next_node(p->fdt, -1, NULL); n >= 0 && count < MAX_NODES; n = fdt_next_node(p->fdt, n, NULL))
		count++;
	p->offsets = kzalloc(count * sizeof(int));
	p->parents = kzalloc(count * sizeof(int));
	p->states = kzalloc(count);
	if (!p->offsets || !p->parents || !p->states)
		return -ENOMEM;
	int stack[MAX_DEPTH];
	int depth = 0;
	unsigned i = 0;
	for (int n = fdt_next_node(p->fdt, -1, &depth); n >= 0 && i < count; n = fdt_next_node(p->fdt, n, &depth), i++) {
		if (depth < 0 || depth >= MAX_DEPTH)
			return -EINVAL;
		stack[depth] = (int)i;
		p->offsets[i] = n;
		p->parents[i] = depth > 0 ? stack[depth - 1] : -1;
	}
	p->count = i;
	return 0;
}

/* Node i's MMIO windows as CPU addresses (reg through every bus's ranges), into out (NULL: only
 * counted). A node under a bus that maps nothing to the CPU (an I2C device) has none. */
static unsigned node_windows(const struct dt_passthrough *p, unsigned i, struct dt_range *out)
{
	int ancestors[MAX_DEPTH], depth = 0;
	for (int up = p->parents[i]; up >= 0 && depth < MAX_DEPTH; up = p->parents[up])
		ancestors[depth++] = p->offsets[up];
	unsigned n = 0;
	uint64_t base, size;
	for (int r = 0; r < 256 && fdt_translate_reg_with(p->fdt, p->offsets[i], ancestors, depth, r, &base, &size) == 0; r++) {
		if (size == 0)
			continue;
		if (out)
			out[n] = (struct dt_range){ base, size };
		n++;
	}
	return n;
}

/* Every node's windows, once: p->windows[p->window_start[i] .. p->window_start[i + 1]). */
static int read_windows(struct dt_passthrough *p)
{
	p->window_start = kzalloc((p->count + 1) * sizeof(unsigned));
	if (!p->window_start)
		return -ENOMEM;
	unsigned total = 0;
	for (unsigned i = 0; i < p->count; i++) {
		p->window_start[i] = total;
		total += i ? node_windows(p, i, NULL) : 0; /* the root's reg, if any, is not a device */
	}
	p->window_start[p->count] = total;
	p->windows = kzalloc((total ? total : 1) * sizeof(struct dt_range));
	if (!p->windows)
		return -ENOMEM;
	for (unsigned i = 1; i < p->count; i++)
		node_windows(p, i, p->windows + p->window_start[i]);
	return 0;
}

unsigned dt_passthrough_windows(const struct dt_passthrough *p, unsigned i, const struct dt_range **windows)
{
	*windows = p->windows + p->window_start[i];
	return p->window_start[i + 1] - p->window_start[i];
}

/* The index of the node at a host offset, or -1. */
static int index_of(const struct dt_passthrough *p, int offset)
{
	unsigned lo = 0, hi = p->count; /* offsets grow in document order */
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (p->offsets[mid] < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->count && p->offsets[lo] == offset ? (int)lo : -1;
}

static int index_of_phandle(const struct dt_passthrough *p, uint32_t phandle)
{
	int node = phandle ? fdt_find_phandle(p->fdt, phandle) : -ENOENT;
	return node >= 0 ? index_of(p, node) : -1;
}

/* Whether node i lies in the subtree of node top. */
static bool below(const struct dt_passthrough *p, unsigned i, unsigned top)
{
	for (int n = (int)i, guard = 0; n >= 0 && guard < MAX_DEPTH; n = p->parents[n], guard++)
		if ((unsigned)n == top)
			return true;
	return false;
}

/* Gives every node of top's subtree a state; with only_unused, only those not decided yet. */
static void mark_subtree(struct dt_passthrough *p, unsigned top, enum node_state state, bool only_unused)
{
	for (unsigned i = top; i < p->count && (i == top || below(p, i, top)); i++)
		if (!only_unused || p->states[i] == NODE_UNUSED)
			p->states[i] = state;
}

/* What every VM has of its own, whatever the arch: its CPUs, memory, firmware interfaces and
 * boot-time nodes come from its config. */
static bool generic_kept(const void *fdt, int node, bool at_root)
{
	int len;
	const char *type = fdt_getprop(fdt, node, "device_type", &len);
	if (type && len > 0 && (strcmp(type, "memory") == 0 || strcmp(type, "cpu") == 0))
		return true;
	if (!at_root)
		return false;
	static const char *const names[] = { "cpus", "chosen", "aliases", "reserved-memory", "psci", "__symbols__" };
	const char *name = fdt_node_name(fdt, node);
	for (size_t i = 0; name && i < ARRAY_SIZE(names); i++) {
		size_t n = strlen(names[i]);
		if (strncmp(name, names[i], n) == 0 && (name[n] == '\0' || name[n] == '@'))
			return true;
	}
	return false;
}

static int find_path(const struct dt_passthrough *p, const struct vm_config *config, const char *path,
		     uint32_t line, const char *key)
{
	int node = fdt_path_offset(p->fdt, path);
	int i = node >= 0 ? index_of(p, node) : -1;
	if (i < 0)
		log_error(VM_LABEL "%s:%u: devices.%s: '%s' is not in the host device tree", VM_LABEL_ARGS(config),
			  config->file_name, line, key, path);
	return i;
}

/* Whether a property's value starts with a phandle (Devicetree Specification v0.4 2.3.x and 2.4;
 * the Linux bindings of clocks, resets, power domains, pin control, regulators, PHYs, DMA, IOMMUs,
 * mailboxes, syscon regmaps and GPIOs). */
static bool holds_phandle(const char *name)
{
	static const char *const names[] = { "interrupt-parent", "clocks", "resets", "power-domains", "phys",
					     "dmas", "iommus", "mboxes", "regmap", "memory-region", "msi-parent",
					     "interrupts-extended", "gpios", "syscon" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	size_t n = strlen(name);
	if (strncmp(name, "pinctrl-", 8) == 0 && name[8] >= '0' && name[8] <= '9')
		return true;
	return (n > 7 && strcmp(name + n - 7, "-supply") == 0) || (n > 6 && strcmp(name + n - 6, "-gpios") == 0);
}

struct reference_walk {
	struct dt_passthrough *p;
	const struct vm_config *config;
	unsigned from;
};

/* Calls visit(walk, target) for each node node i refers to (target: its index, or -1 for a
 * phandle the tree does not have); stops at the first false and returns it. */
static bool each_reference(struct reference_walk *walk, unsigned i, bool (*visit)(struct reference_walk *, int))
{
	const struct dt_passthrough *p = walk->p;
	walk->from = i;
	int prop_count = 0;
	for (int prop = fdt_first_property(p->fdt, p->offsets[i]); prop >= 0 && prop_count < 1024;
	     prop = fdt_next_property(p->fdt, prop), prop_count++) {
		const char *name;
		int len;
		const uint8_t *value = fdt_property_at(p->fdt, prop, &name, &len);
		if (!value || len < 4 || !holds_phandle(name))
			continue;
		/* pinctrl-N lists phandles only; the others start with one (a specifier may follow). */
		int cells = strncmp(name, "pinctrl-", 8) == 0 ? len / 4 : 1;
		for (int c = 0; c < cells; c++) {
			uint32_t phandle = fdt_be32(value + 4 * c);
			if (phandle == p->irqchip_phandle)
				continue; /* the VM's virtual interrupt controller answers to it */
			if (!visit(walk, index_of_phandle(p, phandle)))
				return false;
		}
	}
	return true;
}

/* A passed node brings in the nodes it refers to that nothing decided yet. */
static bool pull_in(struct reference_walk *walk, int target)
{
	if (target >= 0 && walk->p->states[target] == NODE_UNUSED)
		walk->p->states[target] = NODE_PASSED;
	return true;
}

/* A passed node that refers to one the VM does not get could not work: it is dropped. */
static bool keep_if_complete(struct reference_walk *walk, int target)
{
	struct dt_passthrough *p = walk->p;
	if (target >= 0 && p->states[target] == NODE_PASSED)
		return true;
	log_warn(VM_LABEL "host node '%s' is not passed through: it refers to '%s', which the VM does not get",
		 VM_LABEL_ARGS(walk->config), fdt_node_name(p->fdt, p->offsets[walk->from]),
		 target >= 0 ? fdt_node_name(p->fdt, p->offsets[target]) : "a missing phandle");
	mark_subtree(p, walk->from, NODE_DROPPED, false);
	return false;
}

static unsigned count_passed(const struct dt_passthrough *p)
{
	unsigned n = 0;
	for (unsigned i = 0; i < p->count; i++)
		n += p->states[i] == NODE_PASSED;
	return n;
}

static bool same_page(struct dt_range a, uint64_t base, uint64_t size)
{
	return ALIGN_DOWN(a.base, PAGE_SIZE) <= ALIGN_DOWN(base + size - 1, PAGE_SIZE) &&
	       ALIGN_DOWN(base, PAGE_SIZE) <= ALIGN_DOWN(a.base + a.size - 1, PAGE_SIZE);
}

/* Whether a window of passed node i shares a page with a busy window or with a node the VM does
 * not get (kept or excluded: "excluded" means its window is not mapped); logs the first. */
static bool shares_a_page(const struct dt_passthrough *p, unsigned i, const struct dt_passthrough_rules *rules,
			  const struct vm_config *config)
{
	const struct dt_range *mine;
	unsigned n = dt_passthrough_windows(p, i, &mine);
	for (unsigned w = 0; w < n; w++) {
		const char *whose = NULL;
		for (size_t b = 0; b < rules->busy_count && !whose; b++)
			if (same_page(mine[w], rules->busy[b].base, rules->busy[b].size))
				whose = rules->busy[b].what;
		for (unsigned j = 1; j < p->count && !whose; j++) {
			if (p->states[j] != NODE_KEPT && p->states[j] != NODE_EXCLUDED)
				continue;
			const struct dt_range *theirs;
			unsigned m = dt_passthrough_windows(p, j, &theirs);
			for (unsigned t = 0; t < m && !whose; t++)
				if (same_page(mine[w], theirs[t].base, theirs[t].size))
					whose = fdt_node_name(p->fdt, p->offsets[j]);
		}
		if (whose) {
			log_warn(VM_LABEL "host node '%s' is not passed through: its page at %#llx is %s's",
				 VM_LABEL_ARGS(config), fdt_node_name(p->fdt, p->offsets[i]),
				 (unsigned long long)ALIGN_DOWN(mine[w].base, PAGE_SIZE), whose);
			return true;
		}
	}
	return false;
}

int dt_passthrough_select(struct dt_passthrough *p, const void *fdt, const struct vm_config *config,
			  const struct dt_passthrough_rules *rules)
{
	memset(p, 0, sizeof(*p));
	p->fdt = fdt;
	bool any = false;
	for (size_t e = 0; e < config->devices.passthrough_device_count; e++)
		any |= config->devices.passthrough_devices[e].is_device_tree_path;
	if (!any || !fdt)
		return 0;
	int err = read_tree(p);
	if (err == 0)
		err = read_windows(p);
	if (err < 0)
		return err;
	p->max_phandle = fdt_max_phandle(fdt);
	if (rules->irqchip >= 0)
		p->irqchip_phandle = fdt_getprop_u32(fdt, rules->irqchip, "phandle", 0);

	/* What the entries name: passed subtrees, then excluded ones carved out of them. */
	for (size_t e = 0; e < config->devices.passthrough_device_count; e++) {
		const struct vm_passthrough_device *pt = &config->devices.passthrough_devices[e];
		if (!pt->is_device_tree_path)
			continue;
		int i = find_path(p, config, pt->name, pt->line, "passthrough_devices");
		if (i < 0)
			return -ENOENT;
		mark_subtree(p, (unsigned)i, NODE_PASSED, false);
	}
	for (size_t e = 0; e < config->devices.excluded_device_count; e++) {
		const struct vm_excluded_device *ex = &config->devices.excluded_devices[e];
		int i = find_path(p, config, ex->path, ex->line, "excluded_devices");
		if (i < 0)
			return -ENOENT;
		mark_subtree(p, (unsigned)i, NODE_EXCLUDED, false);
	}
	/* What the hypervisor and the VM keep, and what a page of theirs rules out. The root is the
	 * guest's own root: never copied as a node. */
	p->states[0] = NODE_KEPT;
	for (unsigned i = 1; i < p->count; i++) {
		int node = p->offsets[i];
		if (p->states[i] == NODE_KEPT || p->states[i] == NODE_DROPPED)
			continue;
		if (generic_kept(fdt, node, p->parents[i] == 0) || node == rules->irqchip ||
		    (rules->kept && rules->kept(fdt, node)))
			mark_subtree(p, i, NODE_KEPT, false);
	}
	/* References: pull in what passed nodes need, to a fixed point (each round that changes
	 * anything passes one more node at least, so count rounds suffice), then drop, again to a
	 * fixed point, what refers to a node the VM cannot have. */
	struct reference_walk walk = { .p = p, .config = config };
	for (unsigned round = 0, before = 0; round < p->count; round++) {
		before = count_passed(p);
		for (unsigned i = 0; i < p->count; i++)
			if (p->states[i] == NODE_PASSED)
				each_reference(&walk, i, pull_in);
		if (count_passed(p) == before)
			break;
	}
	/* MMIO is mapped by the page, and a page has one owner. */
	for (unsigned i = 1; i < p->count; i++)
		if (p->states[i] == NODE_PASSED && shares_a_page(p, i, rules, config))
			mark_subtree(p, i, NODE_DROPPED, false);
	for (unsigned round = 0, dropped = 1; dropped && round < p->count; round++) {
		dropped = 0;
		for (unsigned i = 0; i < p->count; i++)
			if (p->states[i] == NODE_PASSED && !each_reference(&walk, i, keep_if_complete))
				dropped = 1;
	}
	/* The buses above passed nodes. */
	p->passed = 0;
	for (unsigned i = 0; i < p->count; i++) {
		if (p->states[i] != NODE_PASSED)
			continue;
		p->passed++;
		for (int up = p->parents[i], guard = 0; up > 0 && guard < MAX_DEPTH; up = p->parents[up], guard++)
			if (p->states[up] != NODE_PASSED)
				p->states[up] = NODE_BUS;
	}
	return 0;
}

void dt_passthrough_free(struct dt_passthrough *p)
{
	kfree(p->window_start);
	kfree(p->windows);
	kfree(p->offsets);
	kfree(p->parents);
	kfree(p->states);
	memset(p, 0, sizeof(*p));
}

bool dt_passthrough_is_passed(const struct dt_passthrough *p, unsigned i)
{
	return i < p->count && p->states[i] == NODE_PASSED;
}

/* The interrupt parent's phandle for node i: its own interrupt-parent, or its nearest ancestor's. */
static uint32_t interrupt_parent(const struct dt_passthrough *p, unsigned i)
{
	for (int n = (int)i, guard = 0; n >= 0 && guard < MAX_DEPTH; n = p->parents[n], guard++) {
		int len;
		const void *value = fdt_getprop(p->fdt, p->offsets[n], "interrupt-parent", &len);
		if (value && len >= 4)
			return fdt_be32(value);
	}
	return 0;
}

int dt_passthrough_for_each_interrupt(const struct dt_passthrough *p, int (*fn)(void *ctx, int node, const void *specifier),
				      void *ctx)
{
	int irqchip = p->irqchip_phandle ? fdt_find_phandle(p->fdt, p->irqchip_phandle) : -1;
	int cells = irqchip >= 0 ? (int)fdt_getprop_u32(p->fdt, irqchip, "#interrupt-cells", 0) : 0;
	if (cells < 1 || cells > 4)
		return 0;
	int entry = 4 * cells;
	for (unsigned i = 0; i < p->count; i++) {
		if (p->states[i] != NODE_PASSED || !fdt_node_is_available(p->fdt, p->offsets[i]))
			continue;
		int node = p->offsets[i], len;
		const uint8_t *spec = fdt_getprop(p->fdt, node, "interrupts", &len);
		if (spec && interrupt_parent(p, i) == p->irqchip_phandle) {
			for (int at = 0; at + entry <= len; at += entry) {
				int err = fn(ctx, node, spec + at);
				if (err)
					return err;
			}
		}
		/* interrupts-extended: <phandle specifier>...; only entries naming the controller, whose
		 * specifier length is known, can be walked past. */
		spec = fdt_getprop(p->fdt, node, "interrupts-extended", &len);
		for (int at = 0; spec && at + 4 + entry <= len && fdt_be32(spec + at) == p->irqchip_phandle; at += 4 + entry) {
			int err = fn(ctx, node, spec + at + 4);
			if (err)
				return err;
		}
	}
	return 0;
}

/* What a bus above passed nodes keeps: how its children's addresses and interrupts read. */
static bool bus_property(const char *name)
{
	static const char *const names[] = { "compatible", "#address-cells", "#size-cells", "ranges", "dma-ranges",
					     "interrupt-parent", "#interrupt-cells", "dma-coherent" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

static void copy_node(const struct dt_passthrough *p, unsigned i, struct fdt_writer *w)
{
	bool bus = p->states[i] == NODE_BUS;
	fdt_begin_node(w, fdt_node_name(p->fdt, p->offsets[i]));
	int prop_count = 0;
	for (int prop = fdt_first_property(p->fdt, p->offsets[i]); prop >= 0 && prop_count < 1024;
	     prop = fdt_next_property(p->fdt, prop), prop_count++) {
		const char *name;
		int len;
		const void *value = fdt_property_at(p->fdt, prop, &name, &len);
		if (value && (!bus || bus_property(name)))
			fdt_property(w, name, value, (size_t)len);
	}
}

void dt_passthrough_write(const struct dt_passthrough *p, struct fdt_writer *w)
{
	/* open[d]: the index of the node open in w at depth d below the root. */
	int open[MAX_DEPTH];
	int depth = 0;
	for (unsigned i = 1; i < p->count; i++) {
		if (p->states[i] != NODE_PASSED && p->states[i] != NODE_BUS)
			continue;
		/* Close what is open down to this node's parent. */
		while (depth > 0 && open[depth - 1] != p->parents[i]) {
			fdt_end_node(w);
			depth--;
		}
		if (depth >= MAX_DEPTH)
			break;
		copy_node(p, i, w);
		open[depth++] = (int)i;
	}
	while (depth-- > 0)
		fdt_end_node(w);
}
