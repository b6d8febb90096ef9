/* SPDX-License-Identifier: Apache-2.0 */
/* Builds a flattened device tree (Devicetree Specification v0.4, chapter 5) in a caller buffer:
 * nodes and properties in document order, strings shared, one empty memory reservation block.
 * Errors (no room, unbalanced nodes) stick: every later call does nothing and fdt_finish reports. */
#ifndef LIB_FDT_WRITE_H
#define LIB_FDT_WRITE_H

#include "lib/types.h"

struct fdt_writer {
	uint8_t *buf;
	size_t size;
	size_t struct_end;    /* next free byte of the structure block (grows from the front) */
	size_t strings_start; /* the strings block grows down from the end of buf while building */
	int depth;
	int error;
};

void fdt_begin(struct fdt_writer *w, void *buf, size_t size);
void fdt_begin_node(struct fdt_writer *w, const char *name);
void fdt_end_node(struct fdt_writer *w);
void fdt_property(struct fdt_writer *w, const char *name, const void *value, size_t len);
void fdt_property_string(struct fdt_writer *w, const char *name, const char *value);
/* Several strings as one NUL-separated list (e.g. compatible), terminated by NULL. */
void fdt_property_strings(struct fdt_writer *w, const char *name, const char *const *values);
void fdt_property_u32(struct fdt_writer *w, const char *name, uint32_t value);
void fdt_property_u64(struct fdt_writer *w, const char *name, uint64_t value);
void fdt_property_cells(struct fdt_writer *w, const char *name, const uint32_t *cells, size_t count);
void fdt_property_empty(struct fdt_writer *w, const char *name);
/* "name@<address in hex>", the unit-address convention (spec 2.2.1). */
void fdt_begin_node_at(struct fdt_writer *w, const char *name, uint64_t address);
/* "reg" with one (address, size) pair of two cells each (#address-cells = #size-cells = 2). */
void fdt_property_reg(struct fdt_writer *w, uint64_t address, uint64_t size);
/* Lays the blob out; returns its total size, or -ENOSPC / -EINVAL. */
__must_check int fdt_finish(struct fdt_writer *w);

#endif
