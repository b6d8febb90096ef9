/* SPDX-License-Identifier: Apache-2.0 */
/* A TOML 1.0 reader for VM configs, freestanding and allocation-free.
 *
 * Supported: tables, dotted keys, arrays of tables, inline tables, arrays (nested, mixed types,
 * multi-line, trailing commas), integers (decimal, 0x, 0o, 0b, '_' separators), basic, literal and
 * multi-line strings with every TOML escape, booleans, comments. Not supported, and reported as
 * errors naming the feature: floats, offset/local dates and times.
 *
 * Every node lives in a caller-provided arena; nothing is freed individually (reset the arena to drop
 * a tree). Arrays and inline tables may nest at most TOML_MAX_DEPTH deep, so hostile input ends in an
 * error, never in a stack overflow. Strings are decoded, NUL-terminated copies; `length` also counts
 * any NUL written as \u0000. Each node records the line and column where its value starts.
 * No global state: safe to use from several CPUs on different trees. */
#ifndef LIB_TOML_H
#define LIB_TOML_H

#include "lib/types.h"

#define TOML_MAX_DEPTH 32
#define TOML_ERROR_MESSAGE_MAX 128

enum toml_type {
	TOML_TABLE,
	TOML_ARRAY,
	TOML_STRING,
	TOML_INTEGER,
	TOML_BOOLEAN,
};

/* How a table or array came to exist: TOML 1.0 ("Table", "Array of Tables") forbids redefining some
 * of them, and these tell which. */
enum toml_origin {
	TOML_ORIGIN_VALUE,    /* an ordinary value: a static array, or a scalar */
	TOML_ORIGIN_IMPLICIT, /* a table created as the parent of a [header] path; may be defined later */
	TOML_ORIGIN_HEADER,   /* a table defined by its own [header] or [[header]] entry */
	TOML_ORIGIN_DOTTED,   /* a table created by a dotted key (a.b = 1) */
	TOML_ORIGIN_INLINE,   /* an inline table { ... }: closed, nothing may be added */
	TOML_ORIGIN_TABLE_ARRAY, /* an array created by [[header]] */
};

struct toml_value {
	enum toml_type type;
	enum toml_origin origin;
	uint32_t line;   /* 1-based line of the value's first character */
	uint32_t column; /* 1-based byte column */
	const char *key; /* the key naming this value inside its table; NULL for array elements */
	size_t key_length;
	struct toml_value *next; /* next member of the same table or array */
	union {
		int64_t integer;
		bool boolean;
		struct {
			const char *text;
			size_t length;
		} string;
		struct {
			struct toml_value *first;
			struct toml_value *last;
			size_t count;
		} children; /* TOML_TABLE and TOML_ARRAY */
	} as;
};

/* A bump allocator over caller memory. `used` may be saved and restored to drop later allocations. */
struct toml_arena {
	char *base;
	size_t size;
	size_t used;
};

struct toml_error {
	uint32_t line;
	uint32_t column;
	char message[TOML_ERROR_MESSAGE_MAX];
};

void toml_arena_init(struct toml_arena *arena, void *memory, size_t size);

/* Allocates zeroed, 8-byte aligned memory; NULL when the arena is exhausted. */
__must_check void *toml_arena_alloc(struct toml_arena *arena, size_t size);

/* Parses `length` bytes of UTF-8 text (need not be NUL-terminated) into a tree whose root table is
 * stored in *root. Returns 0, or -EINVAL with *error describing the first problem (TOML has no
 * sensible recovery after a syntax error), or -ENOMEM when the arena is too small. */
__must_check int toml_parse(const char *text, size_t length, struct toml_arena *arena,
			    struct toml_value **root, struct toml_error *error);

/* The member of a table named `key`, or NULL. */
const struct toml_value *toml_table_get(const struct toml_value *table, const char *key);

/* "table", "array", "string", "integer" or "boolean": for messages. */
const char *toml_type_name(enum toml_type type);

#endif
