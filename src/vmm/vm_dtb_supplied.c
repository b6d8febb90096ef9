/* SPDX-License-Identifier: Apache-2.0 */
/* A device tree the config supplies (dtb_path), made to describe this VM (vmm/vm_internal.h).
 *
 * A tree written for a board, or for AxVisor, names the board's RAM and CPUs and whatever ramdisk
 * its author had; the VM has its own. As AxVisor does with a supplied tree (its update_cpu_node and
 * update_fdt), the tree is copied with its /memory nodes replaced by the VM's RAM regions and, where
 * the arch writes them (arch_vm_dtb_write_cpus), its /cpus by the VM's vCPUs; and /chosen gets
 * this boot's ramdisk range, a fresh rng-seed, and the config's cmdline as bootargs when the config
 * gives one. Everything else (the interrupt controller, the devices, stdout-path) is the author's
 * and stays as written. The tree is guest memory the image loader has just filled: read back,
 * checked (lib/fdt.c bounds every access), rewritten, and written over the original. */
#include "vmm/vm_internal.h"
#include "vmm/vm_dtb.h"
#include "virt/arch_vm.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "lib/errno.h"
#include "lib/fdt.h"
#include "lib/string.h"

#define SUPPLIED_MAX (1u << 20) /* a board's whole tree is some 100 KiB */
#define ROOM (16u * 1024)       /* what the rewrite may add: memory nodes, CPUs, /chosen */
#define MAX_NODES 65536
#define MAX_PROPERTIES 1024 /* per node */

struct rewrite {
	const void *src;
	struct fdt_writer w;
	const struct vm_boot_params *params;
	int address_cells, size_cells; /* the root's, which /memory's reg follows */
	bool cpus_written;
};

/* The phandles of the supplied tree's CPU nodes (/cpus children of device_type "cpu"), in order,
 * at most max; returns how many. */
static unsigned cpu_phandles(const void *src, uint32_t *out, unsigned max)
{
	int cpus = fdt_path_offset(src, "/cpus");
	unsigned n = 0;
	for (int c = cpus >= 0 ? fdt_first_child(src, cpus) : -ENOENT; c >= 0 && n < max; c = fdt_next_sibling(src, c)) {
		int len;
		const char *type = fdt_getprop(src, c, "device_type", &len);
		if (type && len == 4 && memcmp(type, "cpu", 4) == 0)
			out[n++] = fdt_getprop_u32(src, c, "phandle", fdt_getprop_u32(src, c, "linux,phandle", 0));
	}
	return n;
}

/* Linux's rule for a memory node (drivers/of/fdt.c): device_type "memory" under the root. */
static bool is_memory_node(const void *src, int node)
{
	int len;
	const char *type = fdt_getprop(src, node, "device_type", &len);
	return type && len == 7 && memcmp(type, "memory", 7) == 0;
}

/* A /chosen property the VM's own replace: the ramdisk the supplied tree's author had, a seed a
 * guest would see at every boot, and bootargs when the config has a cmdline. */
static bool replaced_in_chosen(const struct rewrite *r, const char *name)
{
	return strcmp(name, "linux,initrd-start") == 0 || strcmp(name, "linux,initrd-end") == 0 ||
	       strcmp(name, "rng-seed") == 0 || (r->params->cmdline && strcmp(name, "bootargs") == 0);
}

static void copy_properties(struct rewrite *r, int node, bool chosen)
{
	int count = 0;
	for (int prop = fdt_first_property(r->src, node); prop >= 0 && count < MAX_PROPERTIES;
	     prop = fdt_next_property(r->src, prop), count++) {
		const char *name;
		int len;
		const void *value = fdt_property_at(r->src, prop, &name, &len);
		if (value && !(chosen && replaced_in_chosen(r, name)))
			fdt_property(&r->w, name, value, (size_t)len);
	}
}

/* The root's properties, then the VM's memory and CPUs as its first children. */
static int open_root(struct rewrite *r, struct vm *vm, int root)
{
	r->address_cells = (int)fdt_getprop_u32(r->src, root, "#address-cells", 2);
	r->size_cells = (int)fdt_getprop_u32(r->src, root, "#size-cells", 1);
	fdt_begin_node(&r->w, "");
	copy_properties(r, root, false);
	int err = vm_dtb_write_memory_cells(&r->w, vm, r->address_cells, r->size_cells);
	if (err < 0)
		return err;
	uint32_t phandles[VM_MAX_VCPUS];
	unsigned count = cpu_phandles(r->src, phandles, MIN(vm->vcpu_count, (unsigned)VM_MAX_VCPUS));
	r->cpus_written = arch_vm_dtb_write_cpus(&r->w, vm, phandles, count);
	return 0;
}

/* Copies the tree into r->w; returns the new tree's size or an error. */
static int rewrite_tree(struct rewrite *r, struct vm *vm)
{
	int depth = 0, open = 0, chosen_level = -1, skip_depth = -1, nodes = 0;
	bool chosen_seen = false;
	int n;
	for (n = fdt_next_node(r->src, -1, &depth); n >= 0 && nodes < MAX_NODES; n = fdt_next_node(r->src, n, &depth), nodes++) {
		if (depth < 0 || (depth == 0) != (nodes == 0))
			return -EINVAL; /* one root, first */
		/* Close what is open down to this node's parent, a supplied /chosen with its additions. */
		for (; open > depth; open--) {
			if (open == chosen_level)
				vm_dtb_write_chosen_properties(&r->w, r->params, NULL);
			fdt_end_node(&r->w);
		}
		if (skip_depth >= 0 && depth > skip_depth)
			continue; /* inside a replaced /memory or /cpus */
		skip_depth = -1;
		if (depth == 0) {
			int err = open_root(r, vm, n);
			if (err < 0)
				return err;
			open = 1;
			continue;
		}
		const char *name = fdt_node_name(r->src, n);
		if (!name)
			return -EINVAL;
		if (depth == 1 && (is_memory_node(r->src, n) || (r->cpus_written && strcmp(name, "cpus") == 0))) {
			skip_depth = depth;
			continue;
		}
		bool chosen = depth == 1 && strcmp(name, "chosen") == 0;
		fdt_begin_node(&r->w, name);
		copy_properties(r, n, chosen);
		open++;
		if (chosen) {
			chosen_level = open;
			chosen_seen = true;
		}
	}
	if (n != -ENOENT || open == 0)
		return -EINVAL;
	for (; open > 1; open--) {
		if (open == chosen_level)
			vm_dtb_write_chosen_properties(&r->w, r->params, NULL);
		fdt_end_node(&r->w);
	}
	if (!chosen_seen)
		vm_dtb_write_chosen(&r->w, r->params, NULL);
	fdt_end_node(&r->w);
	return fdt_finish(&r->w);
}

int vm_update_supplied_dtb(struct vm *vm, struct config_reporter *reporter)
{
	const char *path = vm->config->kernel.images[VM_IMAGE_DTB].path.value;
	gpa_t at = vm->image_gpa[VM_IMAGE_DTB];
	uint8_t header[8];
	if (vm_copy_from_guest(vm, header, at, sizeof(header)) < 0)
		return -EFAULT; /* the loader has just put it there */
	uint32_t total = fdt_be32(header + 4);
	if (fdt_be32(header) != FDT_MAGIC || total < 40 || total > SUPPLIED_MAX) {
		vm_log_error(vm, "dtb_path '%s' is not a flattened device tree of at most %u KiB", path, SUPPLIED_MAX / 1024);
		return -EINVAL;
	}
	void *src = kmalloc(total);
	void *out = kmalloc(total + ROOM);
	int size = -ENOMEM;
	struct vm_boot_params params;
	vm_boot_params_of(vm, &params);
	struct rewrite r = { .src = src, .params = &params };
	if (src && out && vm_copy_from_guest(vm, src, at, total) == 0) {
		size = fdt_check(src, total);
		if (size == 0) {
			fdt_begin(&r.w, out, total + ROOM);
			size = rewrite_tree(&r, vm);
		}
	}
	memset(params.rng_seed, 0, sizeof(params.rng_seed));
	int err = size;
	if (size == -ERANGE)
		vm_log_error(vm, "dtb_path '%s': its root's #address-cells/#size-cells cannot hold the VM's RAM regions", path);
	else if (size < 0)
		vm_log_error(vm, "dtb_path '%s' is not a valid device tree, or has no room for this VM's nodes: %d", path, size);
	else if (config_check_image_fits_at(vm->config, VM_IMAGE_DTB, at, (uint64_t)size, reporter) < 0)
		err = -EINVAL;
	else
		err = vm_copy_to_guest(vm, at, out, (size_t)size);
	if (err >= 0)
		vm_log_at(vm_boot_log_level(vm), vm, "device tree '%s' at %#llx (%d bytes), with this VM's memory, %s/chosen",
			  path, (unsigned long long)at, size, r.cpus_written ? "CPUs and " : "");
	kfree(src);
	kfree(out);
	return err < 0 ? err : 0;
}
