/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/lib/toml.c: every supported TOML 1.0 feature, and the exact error (line, column,
 * message) for input outside the subset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/errno.h"
#include "lib/toml.h"

static char arena_memory[1 << 16];
static struct toml_arena arena;
static struct toml_error error;
static char error_text[200];

static const struct toml_value *parse_ok(const char *text)
{
	struct toml_value *root = NULL;
	toml_arena_init(&arena, arena_memory, sizeof(arena_memory));
	int rc = toml_parse(text, strlen(text), &arena, &root, &error);
	if (rc != 0)
		fail_msg("unexpected error %d:%d: %s", error.line, error.column, error.message);
	assert_non_null(root);
	return root;
}

/* Returns "line:column: message" for text that must fail. */
static const char *parse_error(const char *text)
{
	struct toml_value *root = NULL;
	toml_arena_init(&arena, arena_memory, sizeof(arena_memory));
	int rc = toml_parse(text, strlen(text), &arena, &root, &error);
	assert_int_equal(rc, -EINVAL);
	assert_null(root);
	snprintf(error_text, sizeof(error_text), "%u:%u: %s", error.line, error.column, error.message);
	return error_text;
}

/* Walks a dotted path of plain (dot-free) keys from the root. */
static const struct toml_value *get(const struct toml_value *root, const char *path)
{
	char buffer[128];
	snprintf(buffer, sizeof(buffer), "%s", path);
	const struct toml_value *v = root;
	for (char *part = strtok(buffer, "."); part; part = strtok(NULL, "."))
		v = toml_table_get(v, part);
	return v;
}

static int64_t get_integer(const struct toml_value *root, const char *path)
{
	const struct toml_value *v = get(root, path);
	assert_non_null(v);
	assert_int_equal(v->type, TOML_INTEGER);
	return v->as.integer;
}

static const char *get_string(const struct toml_value *root, const char *path)
{
	const struct toml_value *v = get(root, path);
	assert_non_null(v);
	assert_int_equal(v->type, TOML_STRING);
	return v->as.string.text;
}

static const struct toml_value *element(const struct toml_value *array, size_t index)
{
	assert_non_null(array);
	assert_int_equal(array->type, TOML_ARRAY);
	const struct toml_value *v = array->as.children.first;
	for (size_t i = 0; v && i < index; i++)
		v = v->next;
	assert_non_null(v);
	return v;
}

static void test_integers(void **state)
{
	const struct toml_value *r = parse_ok("a = 42\nb = -17\nc = +5\nd = 0\ne = 1_000_000\n"
					      "f = 0xdead_BEEF\ng = 0o755\nh = 0b1010_0101\n"
					      "i = 9223372036854775807\nj = -9223372036854775808\nk = 0x7fff_ffff_ffff_ffff\n");
	assert_int_equal(get_integer(r, "a"), 42);
	assert_int_equal(get_integer(r, "b"), -17);
	assert_int_equal(get_integer(r, "c"), 5);
	assert_int_equal(get_integer(r, "d"), 0);
	assert_int_equal(get_integer(r, "e"), 1000000);
	assert_int_equal(get_integer(r, "f"), 0xdeadbeef);
	assert_int_equal(get_integer(r, "g"), 0755);
	assert_int_equal(get_integer(r, "h"), 0xa5);
	assert_true(get_integer(r, "i") == INT64_MAX);
	assert_true(get_integer(r, "j") == INT64_MIN);
	assert_true(get_integer(r, "k") == INT64_MAX);
}

static void test_integer_errors(void **state)
{
	assert_string_equal(parse_error("a = 9223372036854775808"), "1:5: integer does not fit in 64 bits (signed)");
	assert_string_equal(parse_error("a = 0x8000_0000_0000_0000"), "1:5: integer does not fit in 64 bits (signed)");
	assert_string_equal(parse_error("a = 1__0"), "1:6: '_' must be between two digits");
	assert_string_equal(parse_error("a = _1"), "1:5: invalid value (expected true, false, a number, a string, [ or {)");
	assert_string_equal(parse_error("a = 1_"), "1:6: '_' must be between two digits");
	assert_string_equal(parse_error("a = 0x_1"), "1:7: '_' must be between two digits");
	assert_string_equal(parse_error("a = 012"), "1:5: leading zeros are not allowed in decimal integers");
	assert_string_equal(parse_error("a = 0xG1"), "1:7: invalid digit 'G' in base-16 integer");
	assert_string_equal(parse_error("a = 0b102"), "1:9: invalid digit '2' in base-2 integer");
	assert_string_equal(parse_error("a = 0X10"), "1:5: leading zeros are not allowed in decimal integers");
	assert_string_equal(parse_error("a = 1.5"), "1:5: floats are not supported");
	assert_string_equal(parse_error("a = 1e3"), "1:5: floats are not supported");
	assert_string_equal(parse_error("a = inf"), "1:5: floats are not supported");
	assert_string_equal(parse_error("a = -nan"), "1:5: floats are not supported");
	assert_string_equal(parse_error("a = 1979-05-27"), "1:5: dates and times are not supported");
	assert_string_equal(parse_error("a = 07:32:00"), "1:5: dates and times are not supported");
	assert_string_equal(parse_error("a = 12abc"), "1:7: invalid digit 'a' in base-10 integer");
	assert_string_equal(parse_error("a = +"), "1:5: invalid number");
}

static void test_booleans_and_comments(void **state)
{
	const struct toml_value *r = parse_ok("# leading comment\n  t = true # trailing\r\nf = false\n\n#end");
	assert_true(get(r, "t")->as.boolean);
	assert_false(get(r, "f")->as.boolean);
	assert_int_equal(get(r, "f")->line, 3);
	assert_string_equal(parse_error("a = truex"), "1:5: invalid value (expected true, false, a number, a string, [ or {)");
	assert_string_equal(parse_error("a = TRUE"), "1:5: invalid value (expected true, false, a number, a string, [ or {)");
	assert_string_equal(parse_error("a = 1 # bad \x01 char"), "1:13: control character 0x01 in comment");
	assert_string_equal(parse_error("a = 1 b = 2"), "1:7: expected a newline after the value");
	assert_string_equal(parse_error("a = 1\rb = 2"), "1:6: expected a newline after the value");
	assert_string_equal(parse_error("a ="), "1:4: expected a value");
	assert_string_equal(parse_error("a"), "1:2: expected '=' after key");
}

static void test_strings(void **state)
{
	const struct toml_value *r = parse_ok(
		"basic = \"tab\\there \\\"q\\\" \\\\ \\u00e9\\U0001F600\"\n"
		"literal = 'C:\\path\\no escapes'\n"
		"ml = \"\"\"\nfirst\nsecond \\\n     joined\"\"\"\n"
		"mll = '''\nraw \\n\n'''\n"
		"quotes = \"\"\"two \"\" quotes\"\"\"\"\"\n"
		"empty = \"\"\n"
		"nul = \"a\\u0000b\"\n");
	assert_string_equal(get_string(r, "basic"), "tab\there \"q\" \\ \xc3\xa9\xf0\x9f\x98\x80");
	assert_string_equal(get_string(r, "literal"), "C:\\path\\no escapes");
	assert_string_equal(get_string(r, "ml"), "first\nsecond joined");
	assert_int_equal(get(r, "ml")->line, 3);
	assert_string_equal(get_string(r, "mll"), "raw \\n\n");
	assert_string_equal(get_string(r, "quotes"), "two \"\" quotes\"\"");
	assert_string_equal(get_string(r, "empty"), "");
	assert_int_equal(get(r, "nul")->as.string.length, 3);
	/* a value after a multi-line string reports the right line */
	r = parse_ok("s = '''\na\nb'''\nx = 1\n");
	assert_int_equal(get(r, "x")->line, 4);
}

static void test_string_errors(void **state)
{
	assert_string_equal(parse_error("a = \"abc"), "1:5: unterminated string");
	assert_string_equal(parse_error("a = \"abc\nb = 1"), "1:5: unterminated string (newline before closing quote)");
	assert_string_equal(parse_error("a = \"\\q\""), "1:6: invalid escape sequence '\\q'");
	assert_string_equal(parse_error("a = \"\\e\""), "1:6: invalid escape sequence '\\e'");
	assert_string_equal(parse_error("a = \"\\u12\""), "1:6: \\u needs 4 hex digits");
	assert_string_equal(parse_error("a = \"\\ud800\""), "1:6: escape \\ud800 is not a Unicode scalar value");
	assert_string_equal(parse_error("a = \"\\U00110000\""), "1:6: escape \\U00110000 is not a Unicode scalar value");
	assert_string_equal(parse_error("a = \"x\x01\""), "1:7: control character 0x01 in string");
	assert_string_equal(parse_error("a = '''x''''''"), "1:9: too many quotes at end of multi-line string");
	assert_string_equal(parse_error("a = \"\xff\""), "1:6: invalid UTF-8 byte 0xff");
	assert_string_equal(parse_error("a = \"\xc3\""), "1:6: invalid UTF-8 sequence");
	assert_string_equal(parse_error("a = \"\xe0\x80\x80\""), "1:6: invalid UTF-8 sequence");
	assert_string_equal(parse_error("\"\"\"k\"\"\" = 1"), "1:1: multi-line strings cannot be keys");
}

static void test_tables_and_dotted_keys(void **state)
{
	const struct toml_value *r = parse_ok("top = 1\n[base]\nid = 3\nname.first = \"x\"\n"
					      "\"quoted key\" = 2\n'lit.key' = 3\n"
					      "[ kernel . sub ]\nv = 4\n[a.b.c]\nd = 5\n[a]\ne = 6\n"
					      "[fruit]\napple.color = 'red'\n[fruit.apple.texture]\nsmooth = true\n");
	assert_int_equal(get_integer(r, "top"), 1);
	assert_int_equal(get_integer(r, "base.id"), 3);
	assert_int_equal(get(r, "base")->line, 2);
	assert_string_equal(get_string(r, "base.name.first"), "x");
	assert_int_equal(toml_table_get(get(r, "base"), "quoted key")->as.integer, 2);
	assert_int_equal(toml_table_get(get(r, "base"), "lit.key")->as.integer, 3);
	assert_int_equal(get_integer(r, "kernel.sub.v"), 4);
	assert_int_equal(get_integer(r, "a.b.c.d"), 5);
	assert_int_equal(get_integer(r, "a.e"), 6);
	assert_true(get(r, "fruit.apple.texture.smooth")->as.boolean);
	assert_null(toml_table_get(r, "missing"));
}

static void test_table_errors(void **state)
{
	assert_string_equal(parse_error("a = 1\na = 2"), "2:1: duplicate key 'a'");
	assert_string_equal(parse_error("[t]\n[t]"), "2:1: table 't' is already defined");
	assert_string_equal(parse_error("a = 1\n[a]"), "2:1: table 'a' is already defined");
	assert_string_equal(parse_error("a = 1\n[a.b]"), "2:2: 'a' is not a table that can be extended");
	assert_string_equal(parse_error("a.b = 1\n[a]"), "2:1: table 'a' is already defined");
	assert_string_equal(parse_error("[a.b]\n[a]\nb.c = 1"), "3:1: cannot add keys to 'b': it is already defined");
	assert_string_equal(parse_error("a = 1\na.b = 2"), "2:1: cannot add keys to 'a': it is already defined");
	assert_string_equal(parse_error("a = {x = 1}\n[a.b]"), "2:2: 'a' is not a table that can be extended");
	assert_string_equal(parse_error("a = {x = 1}\na.y = 2"), "2:1: cannot add keys to 'a': it is already defined");
	assert_string_equal(parse_error("[a"), "1:3: expected ']' to close the table header");
	assert_string_equal(parse_error("[[a]"), "1:4: expected ']]' to close the table header");
	assert_string_equal(parse_error("[]"), "1:2: invalid character ']' in key");
	assert_string_equal(parse_error("a b = 1"), "1:3: expected '=' after key");
	assert_string_equal(parse_error("a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q = 1"), "1:33: key has more than 16 dotted parts");
}

static void test_arrays(void **state)
{
	const struct toml_value *r = parse_ok("empty = []\n"
					      "mixed = [1, 'two', [3, [4]], {five = 5}, true,]\n"
					      "multi = [\n  0x1000, # comment\n\n  0x2000,\n]\n");
	assert_int_equal(get(r, "empty")->as.children.count, 0);
	const struct toml_value *mixed = get(r, "mixed");
	assert_int_equal(mixed->as.children.count, 5);
	assert_int_equal(element(mixed, 0)->as.integer, 1);
	assert_string_equal(element(mixed, 1)->as.string.text, "two");
	assert_int_equal(element(element(element(mixed, 2), 1), 0)->as.integer, 4);
	assert_int_equal(toml_table_get(element(mixed, 3), "five")->as.integer, 5);
	const struct toml_value *multi = get(r, "multi");
	assert_int_equal(multi->as.children.count, 2);
	assert_int_equal(element(multi, 1)->as.integer, 0x2000);
	assert_int_equal(element(multi, 1)->line, 6);
	assert_int_equal(element(multi, 1)->column, 3);

	assert_string_equal(parse_error("a = [1 2]"), "1:8: expected ',' or ']' in array");
	assert_string_equal(parse_error("a = [1,,2]"), "1:8: invalid value (expected true, false, a number, a string, [ or {)");
	assert_string_equal(parse_error("a = [1,\n"), "1:5: unterminated array");
	assert_string_equal(parse_error("a = [1, [2"), "1:9: unterminated array");
	assert_string_equal(parse_error("a = [,]"), "1:6: invalid value (expected true, false, a number, a string, [ or {)");
}

static void test_nesting_limit(void **state)
{
	char text[200] = "a = ";
	size_t n = strlen(text);
	for (int i = 0; i < 40; i++)
		text[n++] = '[';
	text[n] = '\0';
	assert_string_equal(parse_error(text), "1:38: values nested more than 32 deep");
	/* 32 levels are fine */
	char ok[200] = "a = ";
	n = strlen(ok);
	for (int i = 0; i < 32; i++)
		ok[n++] = '[';
	for (int i = 0; i < 32; i++)
		ok[n++] = ']';
	ok[n] = '\0';
	parse_ok(ok);
}

static void test_inline_tables(void **state)
{
	const struct toml_value *r = parse_ok("p = { x = 1, y.z = 'w', n = { m = [] } }\nempty = {}\n");
	assert_int_equal(get_integer(r, "p.x"), 1);
	assert_string_equal(get_string(r, "p.y.z"), "w");
	assert_int_equal(get(r, "p.n.m")->as.children.count, 0);
	assert_int_equal(get(r, "empty")->as.children.count, 0);
	assert_string_equal(parse_error("p = { x = 1, }"), "1:14: trailing comma is not allowed in an inline table");
	assert_string_equal(parse_error("p = { x = 1\n}"), "1:12: inline table must close on the same line");
	assert_string_equal(parse_error("p = { x = 1 y = 2 }"), "1:13: expected ',' or '}' in inline table");
	assert_string_equal(parse_error("p = { x = 1, x = 2 }"), "1:14: duplicate key 'x'");
}

static void test_arrays_of_tables(void **state)
{
	const struct toml_value *r = parse_ok("[[vm]]\nid = 1\n[vm.sub]\nk = 1\n[[vm]]\nid = 2\n[[vm.dev]]\nn = 'a'\n");
	const struct toml_value *vm = get(r, "vm");
	assert_int_equal(vm->as.children.count, 2);
	assert_int_equal(toml_table_get(element(vm, 0), "id")->as.integer, 1);
	assert_int_equal(toml_table_get(toml_table_get(element(vm, 0), "sub"), "k")->as.integer, 1);
	assert_int_equal(toml_table_get(element(vm, 1), "id")->as.integer, 2);
	assert_int_equal(element(vm, 1)->line, 5);
	const struct toml_value *dev = toml_table_get(element(vm, 1), "dev");
	assert_string_equal(toml_table_get(element(dev, 0), "n")->as.string.text, "a");
	assert_string_equal(parse_error("a = [1]\n[[a]]"), "2:1: 'a' is already defined and is not an array of tables");
	assert_string_equal(parse_error("[[a]]\n[a]"), "2:1: table 'a' is already defined");
}

static void test_arena_exhaustion(void **state)
{
	char small[64];
	struct toml_arena tiny;
	struct toml_value *root;
	toml_arena_init(&tiny, small, sizeof(small));
	const char *text = "a = [1, 2, 3, 4, 5, 6]";
	assert_int_equal(toml_parse(text, strlen(text), &tiny, &root, &error), -ENOMEM);
	assert_string_equal(error.message, "out of memory (arena of 64 bytes is full)");
}

static void test_not_nul_terminated(void **state)
{
	/* The length bounds the parse: the bytes after it are never read. */
	const char text[] = { 'a', ' ', '=', ' ', '1', '2', '3' };
	struct toml_value *root;
	toml_arena_init(&arena, arena_memory, sizeof(arena_memory));
	assert_int_equal(toml_parse(text, 5, &arena, &root, &error), 0);
	assert_int_equal(get_integer(root, "a"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_integer_errors),
		cmocka_unit_test(test_booleans_and_comments),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_string_errors),
		cmocka_unit_test(test_tables_and_dotted_keys),
		cmocka_unit_test(test_table_errors),
		cmocka_unit_test(test_arrays),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_inline_tables),
		cmocka_unit_test(test_arrays_of_tables),
		cmocka_unit_test(test_arena_exhaustion),
		cmocka_unit_test(test_not_nul_terminated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
