/* SPDX-License-Identifier: Apache-2.0 */
/* FDT builder (see lib/fdt_write.h). While building, the structure block grows from just after the
 * header and reservation block, and the strings block grows from the end of the buffer toward it;
 * fdt_finish moves the strings next to the structure block and writes the header (spec 5.2). */
#include "lib/fdt_write.h"
#include "lib/errno.h"
#include "lib/fdt.h"
#include "lib/format.h"
#include "lib/string.h"

#define HEADER_SIZE 40
#define RESERVE_MAP_SIZE 16 /* one terminating entry */
#define STRUCT_OFFSET (HEADER_SIZE + RESERVE_MAP_SIZE)
#define TOKEN_BEGIN_NODE 1
#define TOKEN_END_NODE 2
#define TOKEN_PROP 3
#define TOKEN_END 9

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void fdt_begin(struct fdt_writer *w, void *buf, size_t size)
{
	w->buf = buf;
	w->size = size;
	w->struct_end = STRUCT_OFFSET;
	w->strings_start = size;
	w->depth = 0;
	w->error = size < STRUCT_OFFSET + 64 ? -ENOSPC : 0;
	if (!w->error)
		memset(w->buf, 0, STRUCT_OFFSET);
}

/* Appends bytes to the structure block, padded to 4 bytes. */
static void append(struct fdt_writer *w, const void *data, size_t len)
{
	size_t padded = ALIGN_UP(len, (size_t)4);
	if (w->error)
		return;
	if (w->struct_end + padded > w->strings_start) {
		w->error = -ENOSPC;
		return;
	}
	memcpy(w->buf + w->struct_end, data, len);
	memset(w->buf + w->struct_end + len, 0, padded - len);
	w->struct_end += padded;
}

static void append_token(struct fdt_writer *w, uint32_t token)
{
	uint8_t b[4];
	put_be32(b, token);
	append(w, b, 4);
}

/* Offset of name within the (final) strings block, adding it if new. */
static uint32_t string_offset(struct fdt_writer *w, const char *name)
{
	size_t len = strlen(name) + 1;
	for (size_t at = w->strings_start; at < w->size;) {
		size_t n = strlen((const char *)w->buf + at) + 1;
		if (n == len && memcmp(w->buf + at, name, len) == 0)
			return (uint32_t)(at - w->strings_start);
		at += n;
	}
	if (w->strings_start < w->struct_end + len) {
		w->error = -ENOSPC;
		return 0;
	}
	/* Strings stay in insertion order: the block moves down by len and the new one goes last,
	 * so offsets already handed out (relative to the block's start) do not change. */
	memmove(w->buf + w->strings_start - len, w->buf + w->strings_start, w->size - w->strings_start);
	w->strings_start -= len;
	memcpy(w->buf + w->size - len, name, len);
	return (uint32_t)(w->size - len - w->strings_start);
}

void fdt_begin_node(struct fdt_writer *w, const char *name)
{
	append_token(w, TOKEN_BEGIN_NODE);
	append(w, name, strlen(name) + 1);
	w->depth++;
}

void fdt_end_node(struct fdt_writer *w)
{
	if (w->depth <= 0) {
		w->error = -EINVAL;
		return;
	}
	append_token(w, TOKEN_END_NODE);
	w->depth--;
}

void fdt_property(struct fdt_writer *w, const char *name, const void *value, size_t len)
{
	uint32_t name_offset = string_offset(w, name);
	uint8_t head[12];
	put_be32(head, TOKEN_PROP);
	put_be32(head + 4, (uint32_t)len);
	put_be32(head + 8, name_offset);
	append(w, head, sizeof(head));
	if (len)
		append(w, value, len);
}

void fdt_property_string(struct fdt_writer *w, const char *name, const char *value)
{
	fdt_property(w, name, value, strlen(value) + 1);
}

void fdt_property_strings(struct fdt_writer *w, const char *name, const char *const *values)
{
	char list[256];
	size_t len = 0;
	for (; *values; values++) {
		size_t n = strlen(*values) + 1;
		if (len + n > sizeof(list)) {
			w->error = -ENOSPC;
			return;
		}
		memcpy(list + len, *values, n);
		len += n;
	}
	fdt_property(w, name, list, len);
}

void fdt_property_u32(struct fdt_writer *w, const char *name, uint32_t value)
{
	fdt_property_cells(w, name, &value, 1);
}

void fdt_property_u64(struct fdt_writer *w, const char *name, uint64_t value)
{
	uint32_t cells[2] = { (uint32_t)(value >> 32), (uint32_t)value };
	fdt_property_cells(w, name, cells, 2);
}

void fdt_property_cells(struct fdt_writer *w, const char *name, const uint32_t *cells, size_t count)
{
	uint8_t data[64 * 4];
	if (count > 64) {
		w->error = -ENOSPC;
		return;
	}
	for (size_t i = 0; i < count; i++)
		put_be32(data + 4 * i, cells[i]);
	fdt_property(w, name, data, 4 * count);
}

void fdt_property_empty(struct fdt_writer *w, const char *name)
{
	fdt_property(w, name, NULL, 0);
}

void fdt_begin_node_at(struct fdt_writer *w, const char *name, uint64_t address)
{
	char buf[64];
	if (format_snprintf(buf, sizeof(buf), "%s@%llx", name, (unsigned long long)address) >= (int)sizeof(buf)) {
		w->error = -ENOSPC;
		return;
	}
	fdt_begin_node(w, buf);
}

void fdt_property_reg(struct fdt_writer *w, uint64_t address, uint64_t size)
{
	uint32_t cells[4] = { (uint32_t)(address >> 32), (uint32_t)address, (uint32_t)(size >> 32), (uint32_t)size };
	fdt_property_cells(w, "reg", cells, 4);
}

int fdt_finish(struct fdt_writer *w)
{
	if (w->depth != 0 && !w->error)
		w->error = -EINVAL;
	append_token(w, TOKEN_END);
	if (w->error)
		return w->error;
	size_t strings_size = w->size - w->strings_start;
	memmove(w->buf + w->struct_end, w->buf + w->strings_start, strings_size);
	size_t total = w->struct_end + strings_size;
	uint8_t *h = w->buf;
	put_be32(h + 0, FDT_MAGIC);
	put_be32(h + 4, (uint32_t)total);
	put_be32(h + 8, STRUCT_OFFSET);                            /* off_dt_struct */
	put_be32(h + 12, (uint32_t)w->struct_end);                 /* off_dt_strings */
	put_be32(h + 16, HEADER_SIZE);                             /* off_mem_rsvmap */
	put_be32(h + 20, 17);                                      /* version */
	put_be32(h + 24, 16);                                      /* last_comp_version */
	put_be32(h + 28, 0);                                       /* boot_cpuid_phys */
	put_be32(h + 32, (uint32_t)strings_size);                  /* size_dt_strings */
	put_be32(h + 36, (uint32_t)(w->struct_end - STRUCT_OFFSET)); /* size_dt_struct */
	return (int)total;
}
