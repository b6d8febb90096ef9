/* SPDX-License-Identifier: Apache-2.0 */
/* TOML 1.0 reader (https://toml.io/en/v1.0.0): see include/lib/toml.h for what it accepts.
 *
 * One pass, recursive descent. Recursion happens only for values nested in arrays and inline
 * tables, and stops at TOML_MAX_DEPTH. Keys, headers and dotted paths are handled iteratively.
 * The first error ends the parse: after a syntax error TOML gives no reliable place to resume. */
#include "lib/toml.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"

#define MAX_KEY_PARTS 16 /* a.b.c... deeper than this is refused: configs nest three levels */

struct key_part {
	const char *text; /* decoded copy in the arena */
	size_t length;
	size_t position; /* where the part starts in the input, for messages */
};

struct parser {
	const char *text;
	size_t length;
	size_t pos;
	uint32_t line;
	size_t line_start;
	struct toml_arena *arena;
	struct toml_error *error;
	int status; /* 0 or the first error's code */
	struct toml_value *root;
	struct toml_value *current; /* the table key/value lines go to */
};

void toml_arena_init(struct toml_arena *arena, void *memory, size_t size)
{
	arena->base = memory;
	arena->size = size;
	arena->used = 0;
}

void *toml_arena_alloc(struct toml_arena *arena, size_t size)
{
	size_t start = ALIGN_UP(arena->used, (size_t)8);
	if (start > arena->size || size > arena->size - start)
		return NULL;
	arena->used = start + size;
	memset(arena->base + start, 0, size);
	return arena->base + start;
}

const char *toml_type_name(enum toml_type type)
{
	switch (type) {
	case TOML_TABLE: return "table";
	case TOML_ARRAY: return "array";
	case TOML_STRING: return "string";
	case TOML_INTEGER: return "integer";
	case TOML_BOOLEAN: return "boolean";
	}
	return "?";
}

/* ---- errors and position ---- */

static void position_of(const struct parser *p, size_t pos, uint32_t *line, uint32_t *column)
{
	uint32_t l = 1;
	size_t start = 0;
	for (size_t i = 0; i < pos && i < p->length; i++) {
		if (p->text[i] == '\n') {
			l++;
			start = i + 1;
		}
	}
	*line = l;
	*column = (uint32_t)(pos - start + 1);
}

/* The first error is the one reported: a later one leaves its message and position alone. */
static void __printf_like(3, 4) describe_error(struct parser *p, size_t pos, const char *fmt, ...)
{
	if (p->status)
		return;
	position_of(p, pos, &p->error->line, &p->error->column);
	va_list ap;
	va_start(ap, fmt);
	format_vsnprintf(p->error->message, sizeof(p->error->message), fmt, ap);
	va_end(ap);
}

/* The status of a parse that has failed: the first error's, -EINVAL unless it said otherwise. */
static int failed(struct parser *p)
{
	if (!p->status)
		p->status = -EINVAL;
	return p->status;
}

/* Records an error at `pos` and evaluates to the (nonzero) status. A macro, so that the status is set
 * outside the variadic call: the static analyzer does not follow those, and took a failed parse for
 * a successful one without it. */
#define fail_at(p, pos, ...) (describe_error((p), (pos), __VA_ARGS__), failed(p))

static int out_of_memory(struct parser *p)
{
	if (p->status)
		return p->status;
	fail_at(p, p->pos, "out of memory (arena of %zu bytes is full)", p->arena->size);
	p->status = -ENOMEM;
	return p->status;
}

/* ---- character level ---- */

static bool at_end(const struct parser *p)
{
	return p->pos >= p->length;
}

static char peek_at(const struct parser *p, size_t offset)
{
	if (p->pos + offset < p->length)
		return p->text[p->pos + offset];
	return '\0';
}

static char peek(const struct parser *p)
{
	return peek_at(p, 0);
}

/* Every move forward goes through here so the line count stays right inside multi-line strings. */
static void advance(struct parser *p, size_t count)
{
	for (size_t i = 0; i < count && p->pos < p->length; i++) {
		if (p->text[p->pos] == '\n') {
			p->line++;
			p->line_start = p->pos + 1;
		}
		p->pos++;
	}
}

static uint32_t column(const struct parser *p)
{
	return (uint32_t)(p->pos - p->line_start + 1);
}

/* TOML 1.0 "Spec": control characters other than tab are not allowed in comments and strings. */
static bool is_forbidden_control(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static bool is_bare_key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '-';
}

static void skip_whitespace(struct parser *p)
{
	while (peek(p) == ' ' || peek(p) == '\t')
		advance(p, 1);
}

static bool at_newline(const struct parser *p)
{
	return peek(p) == '\n' || (peek(p) == '\r' && peek_at(p, 1) == '\n');
}

static void skip_newline(struct parser *p)
{
	advance(p, peek(p) == '\r' ? 2 : 1);
}

static int skip_comment(struct parser *p)
{
	advance(p, 1); /* '#' */
	while (!at_end(p) && !at_newline(p)) {
		unsigned char c = (unsigned char)peek(p);
		if (is_forbidden_control(c))
			return fail_at(p, p->pos, "control character 0x%02x in comment", c);
		advance(p, 1);
	}
	return 0;
}

/* Whitespace, comments and newlines: the filler allowed between array elements. */
static int skip_filler(struct parser *p)
{
	for (;;) {
		skip_whitespace(p);
		if (peek(p) == '#') {
			if (skip_comment(p))
				return p->status;
		} else if (at_newline(p)) {
			skip_newline(p);
		} else {
			return 0;
		}
	}
}

/* TOML must be valid UTF-8 ("Spec"); checking it once up front keeps the rest byte-oriented. */
static int check_utf8(struct parser *p)
{
	const unsigned char *s = (const unsigned char *)p->text;
	size_t i = 0;
	while (i < p->length) {
		unsigned char c = s[i];
		size_t extra;
		uint32_t min, code;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			extra = 1, min = 0x80, code = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			extra = 2, min = 0x800, code = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			extra = 3, min = 0x10000, code = c & 0x07;
		} else {
			return fail_at(p, i, "invalid UTF-8 byte 0x%02x", c);
		}
		if (p->length - i <= extra)
			return fail_at(p, i, "truncated UTF-8 sequence");
		for (size_t k = 1; k <= extra; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return fail_at(p, i, "invalid UTF-8 sequence");
			code = (code << 6) | (s[i + k] & 0x3f);
		}
		if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
			return fail_at(p, i, "invalid UTF-8 sequence");
		i += extra + 1;
	}
	return 0;
}

/* ---- tree building ---- */

static struct toml_value *new_value(struct parser *p, enum toml_type type, enum toml_origin origin)
{
	struct toml_value *v = toml_arena_alloc(p->arena, sizeof(*v));
	if (!v) {
		out_of_memory(p);
		return NULL;
	}
	v->type = type;
	v->origin = origin;
	v->line = p->line;
	v->column = column(p);
	return v;
}

static void append_child(struct toml_value *parent, struct toml_value *child)
{
	if (parent->as.children.last)
		parent->as.children.last->next = child;
	else
		parent->as.children.first = child;
	parent->as.children.last = child;
	parent->as.children.count++;
}

static struct toml_value *find_member(const struct toml_value *table, const char *key, size_t length)
{
	for (struct toml_value *v = table->as.children.first; v; v = v->next) {
		if (v->key_length == length && memcmp(v->key, key, length) == 0)
			return v;
	}
	return NULL;
}

const struct toml_value *toml_table_get(const struct toml_value *table, const char *key)
{
	if (!table || table->type != TOML_TABLE)
		return NULL;
	return find_member(table, key, strlen(key));
}

static struct toml_value *add_table(struct parser *p, struct toml_value *parent, const struct key_part *key,
				    enum toml_origin origin)
{
	struct toml_value *t = new_value(p, TOML_TABLE, origin);
	if (!t)
		return NULL;
	t->key = key->text;
	t->key_length = key->length;
	append_child(parent, t);
	return t;
}

/* ---- strings ---- */

static char *string_buffer(struct parser *p, size_t capacity)
{
	char *buffer = toml_arena_alloc(p->arena, capacity + 1);
	if (!buffer)
		out_of_memory(p);
	return buffer;
}

static size_t encode_utf8(char *out, uint32_t code)
{
	if (code < 0x80) {
		out[0] = (char)code;
		return 1;
	} else if (code < 0x800) {
		out[0] = (char)(0xc0 | (code >> 6));
		out[1] = (char)(0x80 | (code & 0x3f));
		return 2;
	} else if (code < 0x10000) {
		out[0] = (char)(0xe0 | (code >> 12));
		out[1] = (char)(0x80 | ((code >> 6) & 0x3f));
		out[2] = (char)(0x80 | (code & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (code >> 18));
	out[1] = (char)(0x80 | ((code >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((code >> 6) & 0x3f));
	out[3] = (char)(0x80 | (code & 0x3f));
	return 4;
}

static int hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes one escape at p->pos (the backslash) into out; returns the bytes written or -1. TOML 1.0
 * "String": \b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX, and the code point must be a Unicode scalar. */
static int decode_escape(struct parser *p, char *out)
{
	size_t start = p->pos;
	char c = peek_at(p, 1);
	const char *simple = "b\bt\tn\nf\fr\r\"\"\\\\";
	for (const char *s = simple; *s; s += 2) {
		if (c == s[0]) {
			*out = s[1];
			advance(p, 2);
			return 1;
		}
	}
	if (c != 'u' && c != 'U') {
		fail_at(p, start, "invalid escape sequence '\\%c'", c >= 0x20 && c < 0x7f ? c : '?');
		return -1;
	}
	size_t digits = c == 'u' ? 4 : 8;
	uint32_t code = 0;
	for (size_t i = 0; i < digits; i++) {
		int d = hex_digit_value(peek_at(p, 2 + i));
		if (d < 0) {
			fail_at(p, start, "\\%c needs %zu hex digits", c, digits);
			return -1;
		}
		code = (code << 4) | (uint32_t)d;
	}
	if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
		fail_at(p, start, "escape \\%c%0*x is not a Unicode scalar value", c, (int)digits, code);
		return -1;
	}
	advance(p, 2 + digits);
	return (int)encode_utf8(out, code);
}

/* Counts the run of `quote` characters at the parser position. */
static size_t quote_run(const struct parser *p, char quote)
{
	size_t n = 0;
	while (peek_at(p, n) == quote)
		n++;
	return n;
}

/* Reads a string of any of the four kinds starting at the opening quote. The decoded text is never
 * longer than the source text, so the buffer is sized by the source. */
static struct toml_value *parse_string(struct parser *p, bool allow_multiline)
{
	char quote = peek(p);
	bool literal = quote == '\'';
	bool multiline = quote_run(p, quote) >= 3;
	size_t start = p->pos;
	struct toml_value *v = new_value(p, TOML_STRING, TOML_ORIGIN_VALUE);
	if (!v)
		return NULL;
	if (multiline && !allow_multiline) {
		fail_at(p, start, "multi-line strings cannot be keys");
		return NULL;
	}
	advance(p, multiline ? 3 : 1);
	/* A newline right after the opening delimiter is trimmed (TOML 1.0 "String"). */
	if (multiline && at_newline(p))
		skip_newline(p);
	char *buffer = string_buffer(p, p->length - p->pos);
	if (!buffer)
		return NULL;
	size_t length = 0;
	for (;;) {
		if (at_end(p)) {
			fail_at(p, start, "unterminated string");
			return NULL;
		}
		char c = peek(p);
		if (c == quote) {
			size_t run = quote_run(p, quote);
			if (!multiline) {
				advance(p, 1);
				break;
			}
			if (run >= 3) {
				/* Up to two quotes may sit right before the closing three. */
				if (run > 5) {
					fail_at(p, p->pos, "too many quotes at end of multi-line string");
					return NULL;
				}
				for (size_t i = 0; i < run - 3; i++)
					buffer[length++] = quote;
				advance(p, run);
				break;
			}
			for (size_t i = 0; i < run; i++)
				buffer[length++] = quote;
			advance(p, run);
			continue;
		}
		if (at_newline(p)) {
			if (!multiline) {
				fail_at(p, start, "unterminated string (newline before closing quote)");
				return NULL;
			}
			if (peek(p) == '\r')
				buffer[length++] = '\r';
			buffer[length++] = '\n';
			skip_newline(p);
			continue;
		}
		if (c == '\\' && !literal) {
			/* Line-ending backslash: drop the newline and all whitespace after it. */
			if (multiline) {
				size_t k = 1;
				while (peek_at(p, k) == ' ' || peek_at(p, k) == '\t')
					k++;
				if (peek_at(p, k) == '\n' || (peek_at(p, k) == '\r' && peek_at(p, k + 1) == '\n')) {
					advance(p, k);
					while (peek(p) == ' ' || peek(p) == '\t' || at_newline(p))
						advance(p, at_newline(p) && peek(p) == '\r' ? 2 : 1);
					continue;
				}
			}
			int written = decode_escape(p, buffer + length);
			if (written < 0)
				return NULL;
			length += (size_t)written;
			continue;
		}
		if (is_forbidden_control((unsigned char)c)) {
			fail_at(p, p->pos, "control character 0x%02x in string", (unsigned char)c);
			return NULL;
		}
		buffer[length++] = c;
		advance(p, 1);
	}
	buffer[length] = '\0';
	/* Give back the unused tail: only the last allocation can shrink, and this is it. */
	p->arena->used = (size_t)(buffer - p->arena->base) + length + 1;
	v->as.string.text = buffer;
	v->as.string.length = length;
	return v;
}

/* ---- keys ---- */

static int parse_key_part(struct parser *p, struct key_part *part)
{
	part->position = p->pos;
	char c = peek(p);
	if (c == '"' || c == '\'') {
		struct toml_value *s = parse_string(p, false);
		/* failed(), not p->status: NULL means the status is set, but the static analyzer, which does
		 * not always follow parse_string(), would take the key as read and its parts as filled. */
		if (!s)
			return failed(p);
		part->text = s->as.string.text;
		part->length = s->as.string.length;
		return 0;
	}
	size_t start = p->pos;
	while (is_bare_key_char(peek(p)))
		advance(p, 1);
	if (p->pos == start) {
		if (at_end(p) || at_newline(p))
			return fail_at(p, start, "expected a key");
		unsigned char u = (unsigned char)c;
		return fail_at(p, start, "invalid character '%c' in key", u >= 0x20 && u < 0x7f ? c : '?');
	}
	char *copy = string_buffer(p, p->pos - start);
	if (!copy)
		return failed(p);
	memcpy(copy, p->text + start, p->pos - start);
	part->text = copy;
	part->length = p->pos - start;
	return 0;
}

/* key = simple-key *( ws "." ws simple-key ) */
static int parse_key(struct parser *p, struct key_part *parts, size_t *count)
{
	*count = 0;
	for (;;) {
		if (*count == MAX_KEY_PARTS)
			return fail_at(p, p->pos, "key has more than %d dotted parts", MAX_KEY_PARTS);
		if (parse_key_part(p, &parts[*count]))
			return p->status;
		(*count)++;
		skip_whitespace(p);
		if (peek(p) != '.')
			return 0;
		advance(p, 1);
		skip_whitespace(p);
	}
}

/* ---- scalars ---- */

static bool is_token_char(char c)
{
	return is_bare_key_char(c) || c == '+' || c == '.' || c == ':';
}

static bool is_digit_in_base(char c, unsigned base)
{
	int d = hex_digit_value(c);
	return d >= 0 && (unsigned)d < base;
}

/* Integers per TOML 1.0 "Integer": decimal may be signed and has no leading zeros; 0x/0o/0b are
 * unsigned; '_' must sit between two digits; the value must fit a signed 64-bit integer. Floats and
 * dates share the first characters, so they are recognized here to be refused by name. */
static struct toml_value *parse_number(struct parser *p)
{
	size_t start = p->pos;
	size_t end = start;
	while (end < p->length && is_token_char(p->text[end]))
		end++;
	const char *s = p->text + start;
	size_t n = end - start;

	/* A local date/time or offset date-time: 1979-05-27, 07:32:00. */
	bool has_colon = memchr(s, ':', n) != NULL;
	bool looks_like_date = n >= 5 && s[4] == '-' && is_digit_in_base(s[0], 10);
	if (has_colon || looks_like_date) {
		fail_at(p, start, "dates and times are not supported");
		return NULL;
	}
	unsigned base = 10;
	size_t i = 0;
	bool negative = false;
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
		base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
		i = 2;
	} else {
		if (s[0] == '+' || s[0] == '-') {
			negative = s[0] == '-';
			i = 1;
		}
		const char *rest = s + i;
		size_t rest_length = n - i;
		bool is_special = rest_length == 3 && (memcmp(rest, "inf", 3) == 0 || memcmp(rest, "nan", 3) == 0);
		if (is_special || memchr(s, '.', n) || memchr(s, 'e', n) || memchr(s, 'E', n)) {
			fail_at(p, start, "floats are not supported");
			return NULL;
		}
		if (rest_length > 1 && rest[0] == '0') {
			fail_at(p, start, "leading zeros are not allowed in decimal integers");
			return NULL;
		}
	}
	if (i == n) {
		fail_at(p, start, "invalid number");
		return NULL;
	}
	/* Magnitudes up to 2^63 are representable when negative; 2^63-1 otherwise. */
	uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	uint64_t magnitude = 0;
	bool previous_was_digit = false;
	for (; i < n; i++) {
		char c = s[i];
		if (c == '_') {
			if (!previous_was_digit || i + 1 == n || !is_digit_in_base(s[i + 1], base)) {
				fail_at(p, start + i, "'_' must be between two digits");
				return NULL;
			}
			previous_was_digit = false;
			continue;
		}
		if (!is_digit_in_base(c, base)) {
			fail_at(p, start + i, "invalid digit '%c' in base-%u integer", c, base);
			return NULL;
		}
		uint64_t digit = (uint64_t)hex_digit_value(c);
		if (magnitude > (limit - digit) / base) {
			fail_at(p, start, "integer does not fit in 64 bits (signed)");
			return NULL;
		}
		magnitude = magnitude * base + digit;
		previous_was_digit = true;
	}
	struct toml_value *v = new_value(p, TOML_INTEGER, TOML_ORIGIN_VALUE);
	if (!v)
		return NULL;
	v->as.integer = negative ? (int64_t)(0 - magnitude) : (int64_t)magnitude;
	advance(p, n);
	return v;
}

static struct toml_value *parse_boolean(struct parser *p)
{
	bool value = peek(p) == 't';
	const char *word = value ? "true" : "false";
	size_t n = strlen(word);
	if (p->length - p->pos < n || memcmp(p->text + p->pos, word, n) != 0 ||
	    is_token_char(peek_at(p, n))) {
		fail_at(p, p->pos, "invalid value (expected true, false, a number, a string, [ or {)");
		return NULL;
	}
	struct toml_value *v = new_value(p, TOML_BOOLEAN, TOML_ORIGIN_VALUE);
	if (!v)
		return NULL;
	v->as.boolean = value;
	advance(p, n);
	return v;
}

/* ---- compound values ---- */

static struct toml_value *parse_value(struct parser *p, unsigned depth);
static int parse_key_value(struct parser *p, struct toml_value *table, unsigned depth);

static struct toml_value *parse_array(struct parser *p, unsigned depth)
{
	struct toml_value *array = new_value(p, TOML_ARRAY, TOML_ORIGIN_VALUE);
	if (!array)
		return NULL;
	size_t start = p->pos;
	advance(p, 1); /* '[' */
	for (;;) {
		if (skip_filler(p))
			return NULL;
		if (peek(p) == ']')
			break;
		if (at_end(p)) {
			fail_at(p, start, "unterminated array");
			return NULL;
		}
		struct toml_value *element = parse_value(p, depth + 1);
		if (!element)
			return NULL;
		append_child(array, element);
		if (skip_filler(p))
			return NULL;
		if (peek(p) == ',') {
			advance(p, 1);
			continue;
		}
		if (peek(p) == ']')
			break;
		if (at_end(p))
			fail_at(p, start, "unterminated array");
		else
			fail_at(p, p->pos, "expected ',' or ']' in array");
		return NULL;
	}
	advance(p, 1); /* ']' */
	return array;
}

/* Inline tables stay on one line and take no trailing comma (TOML 1.0 "Inline Table"). */
static struct toml_value *parse_inline_table(struct parser *p, unsigned depth)
{
	struct toml_value *table = new_value(p, TOML_TABLE, TOML_ORIGIN_DOTTED);
	if (!table)
		return NULL;
	advance(p, 1); /* '{' */
	skip_whitespace(p);
	if (peek(p) != '}') {
		for (;;) {
			if (parse_key_value(p, table, depth + 1))
				return NULL;
			skip_whitespace(p);
			if (peek(p) == '}')
				break;
			if (peek(p) != ',') {
				fail_at(p, p->pos,
					at_end(p) || at_newline(p) ? "inline table must close on the same line"
								   : "expected ',' or '}' in inline table");
				return NULL;
			}
			advance(p, 1);
			skip_whitespace(p);
			if (peek(p) == '}') {
				fail_at(p, p->pos, "trailing comma is not allowed in an inline table");
				return NULL;
			}
		}
	}
	advance(p, 1); /* '}' */
	table->origin = TOML_ORIGIN_INLINE;
	return table;
}

static struct toml_value *parse_value(struct parser *p, unsigned depth)
{
	if (depth > TOML_MAX_DEPTH) {
		fail_at(p, p->pos, "values nested more than %d deep", TOML_MAX_DEPTH);
		return NULL;
	}
	char c = peek(p);
	switch (c) {
	case '"':
	case '\'':
		return parse_string(p, true);
	case '[':
		return parse_array(p, depth);
	case '{':
		return parse_inline_table(p, depth);
	case 't':
	case 'f':
		return parse_boolean(p);
	case 'i':
	case 'n':
		if (peek_at(p, 1) == (c == 'i' ? 'n' : 'a') && peek_at(p, 2) == (c == 'i' ? 'f' : 'n')) {
			fail_at(p, p->pos, "floats are not supported");
			return NULL;
		}
		break;
	default:
		if (c == '+' || c == '-' || (c >= '0' && c <= '9'))
			return parse_number(p);
		break;
	}
	if (at_end(p) || at_newline(p))
		fail_at(p, p->pos, "expected a value");
	else
		fail_at(p, p->pos, "invalid value (expected true, false, a number, a string, [ or {)");
	return NULL;
}

/* ---- key/value lines and headers ---- */

/* Follows a dotted key's leading parts from `table`, creating tables as needed. A dotted key may
 * only extend tables that dotted keys created (TOML 1.0 "Keys", "Table"). */
static struct toml_value *walk_dotted(struct parser *p, struct toml_value *table, const struct key_part *parts,
				      size_t count)
{
	for (size_t i = 0; i + 1 < count; i++) {
		struct toml_value *child = find_member(table, parts[i].text, parts[i].length);
		if (!child) {
			table = add_table(p, table, &parts[i], TOML_ORIGIN_DOTTED);
			if (!table)
				return NULL;
			continue;
		}
		if (child->type != TOML_TABLE || child->origin != TOML_ORIGIN_DOTTED) {
			fail_at(p, parts[i].position, "cannot add keys to '%.*s': it is already defined",
				(int)MIN(parts[i].length, (size_t)40), parts[i].text);
			return NULL;
		}
		table = child;
	}
	return table;
}

static int parse_key_value(struct parser *p, struct toml_value *table, unsigned depth)
{
	struct key_part parts[MAX_KEY_PARTS];
	size_t count;
	if (parse_key(p, parts, &count))
		return p->status;
	if (peek(p) != '=')
		return fail_at(p, p->pos, "expected '=' after key");
	advance(p, 1);
	skip_whitespace(p);
	struct toml_value *parent = walk_dotted(p, table, parts, count);
	if (!parent)
		return p->status;
	const struct key_part *last = &parts[count - 1];
	if (find_member(parent, last->text, last->length))
		return fail_at(p, last->position, "duplicate key '%.*s'", (int)MIN(last->length, (size_t)40),
			       last->text);
	struct toml_value *value = parse_value(p, depth);
	if (!value)
		return p->status;
	value->key = last->text;
	value->key_length = last->length;
	append_child(parent, value);
	return 0;
}

/* [a.b.c] and [[a.b.c]] (TOML 1.0 "Table", "Array of Tables"). */
static int parse_header(struct parser *p)
{
	size_t start = p->pos;
	uint32_t line = p->line, col = column(p);
	bool table_array = peek_at(p, 1) == '[';
	advance(p, table_array ? 2 : 1);
	skip_whitespace(p);
	struct key_part parts[MAX_KEY_PARTS];
	size_t count;
	if (parse_key(p, parts, &count))
		return p->status;
	if (peek(p) != ']' || (table_array && peek_at(p, 1) != ']'))
		return fail_at(p, p->pos, "expected '%s' to close the table header", table_array ? "]]" : "]");
	advance(p, table_array ? 2 : 1);

	struct toml_value *table = p->root;
	for (size_t i = 0; i + 1 < count; i++) {
		struct toml_value *child = find_member(table, parts[i].text, parts[i].length);
		if (!child) {
			table = add_table(p, table, &parts[i], TOML_ORIGIN_IMPLICIT);
			if (!table)
				return p->status;
		} else if (child->type == TOML_ARRAY && child->origin == TOML_ORIGIN_TABLE_ARRAY) {
			table = child->as.children.last;
		} else if (child->type == TOML_TABLE && child->origin != TOML_ORIGIN_INLINE) {
			table = child;
		} else {
			return fail_at(p, parts[i].position, "'%.*s' is not a table that can be extended",
				       (int)MIN(parts[i].length, (size_t)40), parts[i].text);
		}
	}
	const struct key_part *last = &parts[count - 1];
	struct toml_value *existing = find_member(table, last->text, last->length);
	struct toml_value *defined;
	if (table_array) {
		struct toml_value *array = existing;
		if (!array) {
			array = new_value(p, TOML_ARRAY, TOML_ORIGIN_TABLE_ARRAY);
			if (!array)
				return p->status;
			array->key = last->text;
			array->key_length = last->length;
			array->line = line;
			array->column = col;
			append_child(table, array);
		} else if (array->type != TOML_ARRAY || array->origin != TOML_ORIGIN_TABLE_ARRAY) {
			return fail_at(p, start, "'%.*s' is already defined and is not an array of tables",
				       (int)MIN(last->length, (size_t)40), last->text);
		}
		defined = new_value(p, TOML_TABLE, TOML_ORIGIN_HEADER);
		if (!defined)
			return p->status;
		append_child(array, defined);
	} else if (!existing) {
		defined = add_table(p, table, last, TOML_ORIGIN_HEADER);
		if (!defined)
			return p->status;
	} else if (existing->type == TOML_TABLE && existing->origin == TOML_ORIGIN_IMPLICIT) {
		existing->origin = TOML_ORIGIN_HEADER;
		defined = existing;
	} else {
		return fail_at(p, start, "table '%.*s' is already defined", (int)MIN(last->length, (size_t)40),
			       last->text);
	}
	defined->line = line;
	defined->column = col;
	p->current = defined;
	return 0;
}

/* After a header or key/value: only whitespace and a comment may follow on the line. */
static int expect_line_end(struct parser *p)
{
	skip_whitespace(p);
	if (peek(p) == '#' && skip_comment(p))
		return p->status;
	if (at_end(p))
		return 0;
	if (!at_newline(p))
		return fail_at(p, p->pos, "expected a newline after the value");
	skip_newline(p);
	return 0;
}

int toml_parse(const char *text, size_t length, struct toml_arena *arena, struct toml_value **root,
	       struct toml_error *error)
{
	struct parser p = {
		.text = text, .length = length, .line = 1, .arena = arena, .error = error,
	};
	error->line = 0;
	error->column = 0;
	error->message[0] = '\0';
	*root = NULL;
	if (check_utf8(&p))
		return p.status;
	p.root = new_value(&p, TOML_TABLE, TOML_ORIGIN_HEADER);
	if (!p.root)
		return p.status;
	p.current = p.root;
	while (!at_end(&p)) {
		skip_whitespace(&p);
		char c = peek(&p);
		if (at_end(&p)) {
			break;
		} else if (c == '#') {
			if (skip_comment(&p))
				return p.status;
			continue;
		} else if (at_newline(&p)) {
			skip_newline(&p);
			continue;
		} else if (c == '\r') {
			return fail_at(&p, p.pos, "carriage return without line feed");
		} else if (c == '[') {
			if (parse_header(&p))
				return p.status;
		} else if (parse_key_value(&p, p.current, 0)) {
			return p.status;
		}
		if (expect_line_end(&p))
			return p.status;
	}
	*root = p.root;
	return 0;
}
