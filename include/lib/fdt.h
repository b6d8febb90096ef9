/* SPDX-License-Identifier: Apache-2.0 */
/* A reader for flattened device trees (Devicetree Specification v0.4, chapter 5). Nodes are named
 * by their structure-block offset. Every access is bounds-checked against the header's sizes, so
 * a corrupt blob yields errors, never reads outside it. No global state, no allocation. */
#ifndef LIB_FDT_H
#define LIB_FDT_H

#include "lib/types.h"

#define FDT_MAGIC 0xd00dfeedu

/* Checks magic, version and that every block lies inside the blob; 0 or -EINVAL. */
__must_check int fdt_check(const void *fdt, size_t max_size);
uint32_t fdt_total_size(const void *fdt);

/* The next node in document order after 'node' (-1 starts at the root). *depth is adjusted by the
 * levels moved (pass NULL to ignore). Returns an offset or -ENOENT at the end, -EINVAL if corrupt. */
__must_check int fdt_next_node(const void *fdt, int node, int *depth);
__must_check int fdt_first_child(const void *fdt, int node);
__must_check int fdt_next_sibling(const void *fdt, int node);
__must_check int fdt_parent(const void *fdt, int node);
const char *fdt_node_name(const void *fdt, int node);

const void *fdt_getprop(const void *fdt, int node, const char *name, int *len);
/* The first cell of a property, or fallback when absent or short. */
uint32_t fdt_getprop_u32(const void *fdt, int node, const char *name, uint32_t fallback);
bool fdt_node_is_compatible(const void *fdt, int node, const char *compatible);
/* Whether the node is compatible with any string of a NULL-terminated list. */
bool fdt_node_is_compatible_with_any(const void *fdt, int node, const char *const *compatibles);
/* Status "okay"/"ok" or absent. */
bool fdt_node_is_available(const void *fdt, int node);

/* "/cpus/cpu@0"-style path (unit addresses may be omitted when unique); -ENOENT. */
__must_check int fdt_path_offset(const void *fdt, const char *path);
/* The next node after 'from' (-1: from the start) with the compatible string; -ENOENT. */
__must_check int fdt_find_compatible(const void *fdt, int from, const char *compatible);
__must_check int fdt_find_phandle(const void *fdt, uint32_t phandle);

/* A node's properties in order: fdt_first_property(fdt, node), then fdt_next_property(fdt, prop)
 * with the offset the previous call returned; -ENOENT after the last, -EINVAL if corrupt.
 * fdt_property_at gives one's name, value and length (NULL if corrupt). */
__must_check int fdt_first_property(const void *fdt, int node);
__must_check int fdt_next_property(const void *fdt, int prop);
const void *fdt_property_at(const void *fdt, int prop, const char **name, int *len);
/* The largest phandle in the tree (0 if none): new nodes take phandles above it. */
uint32_t fdt_max_phandle(const void *fdt);

/* #address-cells / #size-cells that apply to node's "reg" (from its parent; defaults 2 and 1). */
__must_check int fdt_reg_cells(const void *fdt, int node, int *address_cells, int *size_cells);
/* Entry 'index' of node's "reg"; -ENOENT past the end. */
__must_check int fdt_get_reg(const void *fdt, int node, int index, uint64_t *address, uint64_t *size);
/* The same entry as a CPU physical address: translated through the "ranges" of every bus above the
 * node (Devicetree Specification v0.4, 2.3.8; an empty "ranges" is the identity). -ENOENT past the
 * end, -ERANGE when a bus has no "ranges" or none of its windows holds the address, -EINVAL for
 * address cells other than 1 or 2. */
__must_check int fdt_translate_reg(const void *fdt, int node, int index, uint64_t *address, uint64_t *size);
/* The same, for a caller that knows the node's ancestors (ancestors[0] its parent, the root last):
 * no walk of the tree to find them. */
__must_check int fdt_translate_reg_with(const void *fdt, int node, const int *ancestors, int count, int index,
					uint64_t *address, uint64_t *size);

/* Always inlined: the walkers read every token with it, thousands at each boot. */
static inline __attribute__((always_inline)) uint32_t fdt_be32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Reads 'cells' (1 or 2) big-endian cells as one number. */
static inline uint64_t fdt_read_cells(const void *p, int cells)
{
	const uint8_t *b = p;
	uint64_t v = 0;
	for (int i = 0; i < cells; i++)
		v = (v << 32) | fdt_be32(b + 4 * i);
	return v;
}

#endif
