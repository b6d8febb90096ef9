/* SPDX-License-Identifier: Apache-2.0 */
/* Flattened device tree reader; see lib/fdt.h. Layout per Devicetree Specification v0.4, 5.2
 * (header), 5.4 (structure block tokens) and 5.5 (strings block). */
#include "lib/fdt.h"
#include "lib/errno.h"
#include "lib/string.h"

#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

#define MAX_DEPTH 32

struct fdt_header {
	uint32_t magic, totalsize, off_dt_struct, off_dt_strings, off_mem_rsvmap, version,
		last_comp_version, boot_cpuid_phys, size_dt_strings, size_dt_struct;
};

static inline __attribute__((always_inline)) uint32_t header_field(const void *fdt, int index)
{
	return fdt_be32((const uint8_t *)fdt + 4 * index);
}

#define H_TOTALSIZE 1
#define H_OFF_STRUCT 2
#define H_OFF_STRINGS 3
#define H_VERSION 5
#define H_SIZE_STRINGS 8
#define H_SIZE_STRUCT 9

uint32_t fdt_total_size(const void *fdt)
{
	return header_field(fdt, H_TOTALSIZE);
}

int fdt_check(const void *fdt, size_t max_size)
{
	if (!fdt || max_size < sizeof(struct fdt_header))
		return -EINVAL;
	if (header_field(fdt, 0) != FDT_MAGIC)
		return -EINVAL;
	uint32_t total = header_field(fdt, H_TOTALSIZE);
	if (total > max_size || total < sizeof(struct fdt_header))
		return -EINVAL;
	if (header_field(fdt, H_VERSION) < 17)
		return -EINVAL;
	uint64_t s_off = header_field(fdt, H_OFF_STRUCT), s_size = header_field(fdt, H_SIZE_STRUCT);
	uint64_t t_off = header_field(fdt, H_OFF_STRINGS), t_size = header_field(fdt, H_SIZE_STRINGS);
	if (s_off + s_size > total || t_off + t_size > total || (s_off & 3))
		return -EINVAL;
	return 0;
}

/* The blocks of one tree, read from its header once per call: every walk reads tokens thousands
 * of times, and a boot's walks cost a million instructions when each token re-read the header. */
struct view {
	const uint8_t *structs;
	uint32_t structs_size;
	const char *strings;
	uint32_t strings_size;
};

static struct view view_of(const void *fdt)
{
	return (struct view){ (const uint8_t *)fdt + header_field(fdt, H_OFF_STRUCT), header_field(fdt, H_SIZE_STRUCT),
			      (const char *)fdt + header_field(fdt, H_OFF_STRINGS), header_field(fdt, H_SIZE_STRINGS) };
}

/* Reads the token at offset, or FDT_END if it would run past the block. Inlined (as header_field):
 * every walk reads each token, and under -Oz the call cost more than the read (start-up). */
static inline __attribute__((always_inline)) uint32_t token_at(const struct view *v, int offset)
{
	if (offset < 0 || (uint32_t)offset + 4 > v->structs_size)
		return FDT_END;
	return fdt_be32(v->structs + offset);
}

/* Offset just past a NUL-terminated name inside the structure block, 4-aligned; -EINVAL if the
 * name runs off the block. Names are padded with NULs to the next token (spec 5.4.1), so a block
 * at a 4-byte boundary is read a word at a time: the first word holding a zero byte ends the
 * name, and the token after it starts at the next word. */
typedef uint32_t __attribute__((may_alias)) struct_word;

static int skip_name(const struct view *v, int offset)
{
	uint32_t i = (uint32_t)offset;
	if (((uintptr_t)v->structs & 3) == 0 && (i & 3) == 0) {
		for (; i + 4 <= v->structs_size; i += 4) {
			uint32_t w = *(const struct_word *)(const void *)(v->structs + i);
			if ((w - 0x01010101u) & ~w & 0x80808080u) /* a zero byte in w */
				return (int)(i + 4);
		}
		return -EINVAL;
	}
	while (i < v->structs_size && v->structs[i])
		i++;
	if (i >= v->structs_size)
		return -EINVAL;
	return (int)ALIGN_UP(i + 1, 4u);
}

/* Offset of the token after a FDT_PROP at offset; -EINVAL if the property overruns the block. */
static int skip_prop(const struct view *v, int offset)
{
	if ((uint32_t)offset + 12 > v->structs_size)
		return -EINVAL;
	uint32_t len = fdt_be32(v->structs + offset + 4);
	uint64_t end = (uint64_t)offset + 12 + ALIGN_UP((uint64_t)len, 4u);
	if (end > v->structs_size)
		return -EINVAL;
	return (int)end;
}

static int next_node(const struct view *v, int node, int *depth)
{
	int offset;
	int d = 0;
	if (node < 0) {
		offset = 0;
	} else {
		if (token_at(v, node) != FDT_BEGIN_NODE)
			return -EINVAL;
		offset = skip_name(v, node + 4);
		if (offset < 0)
			return offset;
	}
	for (;;) {
		uint32_t token = token_at(v, offset);
		switch (token) {
		case FDT_BEGIN_NODE:
			if (node >= 0)
				d++;
			if (depth)
				*depth += d;
			return offset;
		case FDT_END_NODE:
			d--;
			offset += 4;
			break;
		case FDT_PROP:
			offset = skip_prop(v, offset);
			if (offset < 0)
				return offset;
			break;
		case FDT_NOP:
			offset += 4;
			break;
		case FDT_END:
			return -ENOENT;
		default:
			return -EINVAL;
		}
	}
}

int fdt_next_node(const void *fdt, int node, int *depth)
{
	struct view v = view_of(fdt);
	return next_node(&v, node, depth);
}

int fdt_first_child(const void *fdt, int node)
{
	int depth = 0;
	int next = fdt_next_node(fdt, node, &depth);
	return (next >= 0 && depth == 1) ? next : -ENOENT;
}

int fdt_next_sibling(const void *fdt, int node)
{
	int depth = 0;
	int next = node;
	for (int guard = 0; guard < 1 << 20; guard++) {
		next = fdt_next_node(fdt, next, &depth);
		if (next < 0 || depth < 0)
			return -ENOENT;
		if (depth == 0)
			return next;
	}
	return -EINVAL;
}

int fdt_parent(const void *fdt, int node)
{
	struct view v = view_of(fdt);
	int stack[MAX_DEPTH];
	int depth = 0;
	for (int offset = next_node(&v, -1, NULL); offset >= 0;) {
		if (depth >= MAX_DEPTH)
			return -EINVAL;
		stack[depth] = offset;
		if (offset == node)
			return depth > 0 ? stack[depth - 1] : -ENOENT;
		int moved = 0;
		offset = next_node(&v, offset, &moved);
		depth += moved;
		if (depth < 0)
			return -ENOENT;
	}
	return -ENOENT;
}

const char *fdt_node_name(const void *fdt, int node)
{
	struct view v = view_of(fdt);
	if (token_at(&v, node) != FDT_BEGIN_NODE || skip_name(&v, node + 4) < 0)
		return NULL;
	return (const char *)v.structs + node + 4;
}

static const char *string_at(const struct view *v, uint32_t offset)
{
	if (offset >= v->strings_size)
		return NULL;
	const char *s = v->strings + offset;
	if (!memchr(s, 0, v->strings_size - offset))
		return NULL;
	return s;
}

/* Whether the strings block holds name at offset, NUL included: a bounded compare that stops at
 * the first differing character (most property names differ in their first). */
static bool string_equals(const struct view *v, uint32_t offset, const char *name)
{
	if (offset >= v->strings_size)
		return false;
	const char *s = v->strings + offset;
	for (uint32_t i = 0; i < v->strings_size - offset; i++) {
		if (s[i] != name[i])
			return false;
		if (!name[i])
			return true;
	}
	return false;
}

const void *fdt_getprop(const void *fdt, int node, const char *name, int *len)
{
	struct view v = view_of(fdt);
	if (token_at(&v, node) != FDT_BEGIN_NODE)
		return NULL;
	int offset = skip_name(&v, node + 4);
	while (offset >= 0) {
		uint32_t token = token_at(&v, offset);
		if (token == FDT_NOP) {
			offset += 4;
			continue;
		}
		if (token != FDT_PROP)
			return NULL;
		int next = skip_prop(&v, offset);
		if (next < 0)
			return NULL;
		const uint8_t *p = v.structs + offset;
		if (string_equals(&v, fdt_be32(p + 8), name)) {
			if (len)
				*len = (int)fdt_be32(p + 4);
			return p + 12;
		}
		offset = next;
	}
	return NULL;
}

uint32_t fdt_getprop_u32(const void *fdt, int node, const char *name, uint32_t fallback)
{
	int len;
	const void *p = fdt_getprop(fdt, node, name, &len);
	return (p && len >= 4) ? fdt_be32(p) : fallback;
}

/* Whether a NUL-separated string list (a "compatible" value) contains s. */
static bool stringlist_contains(const char *list, int len, const char *s)
{
	size_t want = strlen(s);
	for (int i = 0; i < len;) {
		size_t n = strnlen(list + i, (size_t)(len - i));
		if (n == want && memcmp(list + i, s, n) == 0)
			return true;
		i += (int)n + 1;
	}
	return false;
}

bool fdt_node_is_compatible(const void *fdt, int node, const char *compatible)
{
	int len;
	const char *list = fdt_getprop(fdt, node, "compatible", &len);
	return list && stringlist_contains(list, len, compatible);
}

bool fdt_node_is_compatible_with_any(const void *fdt, int node, const char *const *compatibles)
{
	for (; *compatibles; compatibles++)
		if (fdt_node_is_compatible(fdt, node, *compatibles))
			return true;
	return false;
}

bool fdt_node_is_available(const void *fdt, int node)
{
	int len;
	const char *status = fdt_getprop(fdt, node, "status", &len);
	if (!status || len <= 0)
		return true;
	return strncmp(status, "okay", (size_t)len) == 0 || strncmp(status, "ok", (size_t)len) == 0;
}

/* Whether a node name matches one path component: exactly, or up to its '@unit-address'. */
static bool name_matches(const char *name, const char *component, size_t len)
{
	if (strncmp(name, component, len) != 0)
		return false;
	return name[len] == '\0' || (name[len] == '@' && !memchr(component, '@', len));
}

int fdt_path_offset(const void *fdt, const char *path)
{
	if (!path || path[0] != '/')
		return -EINVAL;
	int node = fdt_next_node(fdt, -1, NULL);
	const char *p = path;
	while (node >= 0) {
		while (*p == '/')
			p++;
		if (!*p)
			return node;
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		int child = fdt_first_child(fdt, node);
		while (child >= 0) {
			const char *name = fdt_node_name(fdt, child);
			if (name && name_matches(name, p, len))
				break;
			child = fdt_next_sibling(fdt, child);
		}
		node = child;
		p += len;
	}
	return -ENOENT;
}

int fdt_find_compatible(const void *fdt, int from, const char *compatible)
{
	struct view v = view_of(fdt);
	for (int node = next_node(&v, from, NULL); node >= 0; node = next_node(&v, node, NULL))
		if (fdt_node_is_compatible(fdt, node, compatible))
			return node;
	return -ENOENT;
}

int fdt_find_phandle(const void *fdt, uint32_t phandle)
{
	struct view v = view_of(fdt);
	for (int node = next_node(&v, -1, NULL); node >= 0; node = next_node(&v, node, NULL)) {
		if (fdt_getprop_u32(fdt, node, "phandle", 0) == phandle ||
		    fdt_getprop_u32(fdt, node, "linux,phandle", 0) == phandle)
			return node;
	}
	return -ENOENT;
}

int fdt_reg_cells(const void *fdt, int node, int *address_cells, int *size_cells)
{
	int parent = fdt_parent(fdt, node);
	if (parent < 0)
		parent = fdt_next_node(fdt, -1, NULL);
	*address_cells = (int)fdt_getprop_u32(fdt, parent, "#address-cells", 2);
	*size_cells = (int)fdt_getprop_u32(fdt, parent, "#size-cells", 1);
	if (*address_cells < 1 || *address_cells > 2 || *size_cells < 0 || *size_cells > 2)
		return -EINVAL;
	return 0;
}

int fdt_get_reg(const void *fdt, int node, int index, uint64_t *address, uint64_t *size)
{
	int ac, sc, len;
	if (fdt_reg_cells(fdt, node, &ac, &sc) < 0)
		return -EINVAL;
	const uint8_t *reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg)
		return -ENOENT;
	int entry = 4 * (ac + sc);
	if (index < 0 || (index + 1) * entry > len)
		return -ENOENT;
	reg += index * entry;
	*address = fdt_read_cells(reg, ac);
	*size = sc ? fdt_read_cells(reg + 4 * ac, sc) : 0;
	return 0;
}

/* The FDT_PROP at or after offset, skipping NOPs; -ENOENT at the node's first child or end. */
static int property_from(const struct view *v, int offset)
{
	while (offset >= 0 && token_at(v, offset) == FDT_NOP)
		offset += 4;
	if (offset < 0)
		return offset;
	return token_at(v, offset) == FDT_PROP ? offset : -ENOENT;
}

int fdt_first_property(const void *fdt, int node)
{
	struct view v = view_of(fdt);
	if (token_at(&v, node) != FDT_BEGIN_NODE)
		return -EINVAL;
	return property_from(&v, skip_name(&v, node + 4));
}

int fdt_next_property(const void *fdt, int prop)
{
	struct view v = view_of(fdt);
	if (token_at(&v, prop) != FDT_PROP)
		return -EINVAL;
	return property_from(&v, skip_prop(&v, prop));
}

const void *fdt_property_at(const void *fdt, int prop, const char **name, int *len)
{
	struct view v = view_of(fdt);
	if (token_at(&v, prop) != FDT_PROP || skip_prop(&v, prop) < 0)
		return NULL;
	const uint8_t *p = v.structs + prop;
	*name = string_at(&v, fdt_be32(p + 8));
	*len = (int)fdt_be32(p + 4);
	return *name ? p + 12 : NULL;
}

uint32_t fdt_max_phandle(const void *fdt)
{
	struct view v = view_of(fdt);
	uint32_t max = 0;
	for (int node = next_node(&v, -1, NULL); node >= 0; node = next_node(&v, node, NULL)) {
		uint32_t phandle = fdt_getprop_u32(fdt, node, "phandle", 0);
		if (phandle != 0xffffffffu && phandle > max)
			max = phandle;
	}
	return max;
}

/* #address-cells and #size-cells a node sets for its children (defaults 2 and 1, DT spec 2.3.5). */
static int child_cells(const void *fdt, int node, int *address_cells, int *size_cells)
{
	*address_cells = (int)fdt_getprop_u32(fdt, node, "#address-cells", 2);
	*size_cells = (int)fdt_getprop_u32(fdt, node, "#size-cells", 1);
	return *address_cells < 1 || *address_cells > 2 || *size_cells < 0 || *size_cells > 2 ? -EINVAL : 0;
}

/* One step up: an address on bus's children's side to its parent's side, through bus's "ranges". */
static int translate_up(const void *fdt, int bus, int bus_parent, uint64_t *address, uint64_t size)
{
	int len, child_ac, child_sc, parent_ac, parent_sc;
	const uint8_t *ranges = fdt_getprop(fdt, bus, "ranges", &len);
	if (!ranges)
		return -ERANGE;
	if (len == 0)
		return 0; /* the identity */
	if (child_cells(fdt, bus, &child_ac, &child_sc) < 0 || child_sc < 1 ||
	    child_cells(fdt, bus_parent, &parent_ac, &parent_sc) < 0)
		return -EINVAL;
	int entry = 4 * (child_ac + parent_ac + child_sc);
	for (int at = 0; at + entry <= len; at += entry) {
		uint64_t child = fdt_read_cells(ranges + at, child_ac);
		uint64_t parent = fdt_read_cells(ranges + at + 4 * child_ac, parent_ac);
		uint64_t length = fdt_read_cells(ranges + at + 4 * (child_ac + parent_ac), child_sc);
		if (*address >= child && *address - child < length && size <= length - (*address - child)) {
			*address = parent + (*address - child);
			return 0;
		}
	}
	return -ERANGE;
}

int fdt_translate_reg_with(const void *fdt, int node, const int *ancestors, int count, int index, uint64_t *address,
			   uint64_t *size)
{
	int ac, sc, len;
	if (count < 1 || child_cells(fdt, ancestors[0], &ac, &sc) < 0)
		return -EINVAL;
	const uint8_t *reg = fdt_getprop(fdt, node, "reg", &len);
	int entry = 4 * (ac + sc);
	if (!reg || index < 0 || (index + 1) * entry > len)
		return -ENOENT;
	reg += index * entry;
	*address = fdt_read_cells(reg, ac);
	*size = sc ? fdt_read_cells(reg + 4 * ac, sc) : 0;
	/* Every bus between the node and the root: the root's children's addresses are CPU addresses. */
	int err = 0;
	for (int k = 0; err == 0 && k + 1 < count; k++)
		err = translate_up(fdt, ancestors[k], ancestors[k + 1], address, *size);
	return err;
}

int fdt_translate_reg(const void *fdt, int node, int index, uint64_t *address, uint64_t *size)
{
	int ancestors[MAX_DEPTH], count = 0;
	for (int up = fdt_parent(fdt, node); up >= 0 && count < MAX_DEPTH; up = fdt_parent(fdt, up))
		ancestors[count++] = up;
	return fdt_translate_reg_with(fdt, node, ancestors, count, index, address, size);
}
