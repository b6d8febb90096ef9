/* SPDX-License-Identifier: Apache-2.0 */
/* Device-tree passthrough, with AxVisor's semantics. A passthrough_devices entry that is a path
 * (["/"], ["/soc/serial@2000"]) passes that host node and its whole subtree, less every
 * excluded_devices subtree and less what the hypervisor keeps for itself:
 *   - CPUs, memory, /chosen, /aliases, /reserved-memory, /psci: the VM has its own, generated from
 *     its config;
 *   - the host interrupt controller (the VM's virtual one replaces it and takes its phandle, so the
 *     copied nodes' interrupt-parent references still resolve), and what the arch's rule names
 *     (its timer, PMU, the power-off device...);
 *   - any node with an MMIO page in common with a busy window (the hypervisor's disk, one of the
 *     VM's emulated devices): MMIO is mapped by the page, and a page has one owner;
 *   - any node that refers by phandle to one of the above (a syscon power-off naming the kept
 *     finisher): it could not work.
 * A node a passed node refers to (its clock, regulator, pin controller, GPIO controller) is passed
 * too. Each decision that drops a node is logged once, naming it.
 *
 * The selection is pure: it reads the host tree and the config and allocates its tables (kzalloc);
 * the VMM maps the passed nodes' windows and routes their interrupts, and the arch's guest device
 * tree writer copies them in (dt_passthrough_write). Host-tested in tests/unit/test_dt_passthrough.c. */
#ifndef VMM_DT_PASSTHROUGH_H
#define VMM_DT_PASSTHROUGH_H

#include "lib/types.h"
#include "lib/fdt_write.h"
#include "vmm/config.h"

struct dt_range {
	uint64_t base, size;
};

/* A host physical window, for the busy list. */
struct dt_window {
	uint64_t base, size;
	const char *what; /* for the log: "the hypervisor's disk", an emulated device's name */
};

struct dt_passthrough_rules {
	/* The arch's own nodes, kept with their subtrees (NULL: none). */
	bool (*kept)(const void *fdt, int node);
	/* The host interrupt controller's node, or a negative value when there is none. */
	int irqchip;
	const struct dt_window *busy;
	size_t busy_count;
};

struct dt_passthrough {
	const void *fdt;
	unsigned count;           /* nodes in the host tree */
	int *offsets;             /* node i's offset, in document order; node 0 is the root */
	int *parents;             /* node i's parent's index; -1 for the root */
	uint8_t *states;          /* what became of node i (dt_passthrough.c) */
	struct dt_range *windows; /* every node's MMIO windows as CPU addresses (dt_passthrough_windows) */
	unsigned *window_start;
	uint32_t irqchip_phandle; /* the host interrupt controller's phandle, 0 if none */
	uint32_t max_phandle;     /* the largest phandle in the host tree: generated nodes go above */
	unsigned passed;          /* how many nodes are passed */
};

/* Chooses the host nodes for config's device-tree passthrough entries. Returns 0 (p->passed may
 * still be 0), -ENOMEM, or -ENOENT when a passthrough or excluded path is not in the host tree
 * (logged with the config's file and line). A config without path entries gets p->passed = 0. */
__must_check int dt_passthrough_select(struct dt_passthrough *p, const void *fdt,
				       const struct vm_config *config,
				       const struct dt_passthrough_rules *rules);
void dt_passthrough_free(struct dt_passthrough *p);
/* Whether host node i (an index into p->offsets) is passed. */
bool dt_passthrough_is_passed(const struct dt_passthrough *p, unsigned i);
/* Node i's MMIO windows, as CPU addresses ("reg" through every bus's "ranges"; none for a node
 * whose bus maps nothing to the CPU): sets *windows, returns how many. */
unsigned dt_passthrough_windows(const struct dt_passthrough *p, unsigned i, const struct dt_range **windows);
/* Calls fn(ctx, node, specifier) for every interrupt of a passed, enabled node that goes to the host
 * interrupt controller ("interrupts" under an interrupt-parent that is it, or an
 * "interrupts-extended" entry naming it): specifier points at its #interrupt-cells big-endian
 * cells, as the host tree writes them. Stops at, and returns, fn's first nonzero result. */
__must_check int dt_passthrough_for_each_interrupt(const struct dt_passthrough *p,
						   int (*fn)(void *ctx, int node, const void *specifier),
						   void *ctx);
/* Copies the passed nodes into a guest tree whose root node is open in w, with the buses above
 * them (their addressing properties only), in the host tree's order. */
void dt_passthrough_write(const struct dt_passthrough *p, struct fdt_writer *w);

#endif
