/* SPDX-License-Identifier: Apache-2.0 */
/* format_snprintf against the C library's snprintf for the conversions the hypervisor uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/format.h"

#define CHECK(...)                                                        \
	do {                                                              \
		char ours[256], theirs[256];                              \
		int n1 = format_snprintf(ours, sizeof(ours), __VA_ARGS__); \
		int n2 = snprintf(theirs, sizeof(theirs), __VA_ARGS__);   \
		assert_string_equal(ours, theirs);                        \
		assert_int_equal(n1, n2);                                 \
	} while (0)

static void test_integers(void **state)
{
	(void)state;
	CHECK("%d %i %u", 42, -17, 3000000000u);
	CHECK("%ld %lld %llu", -1L, (long long)INT64_MIN, (unsigned long long)UINT64_MAX);
	CHECK("%hhd %hd %hhu", (signed char)-5, (short)-300, (unsigned char)250);
	CHECK("%zu %td %jd", (size_t)123456789, (ptrdiff_t)-5, (intmax_t)77);
	CHECK("%x %X %o %#x %#o %#X", 0xdeadbeef, 0xabcdefu, 0755, 0x1f, 8, 255);
	CHECK("%#llx %#x", 0x40080000ULL, 0);
}

static void test_width_and_flags(void **state)
{
	(void)state;
	CHECK("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, 42, 42, 42);
	CHECK("[%8.3d] [%.0d] [%-8x]", 7, 0, 0xabc);
	CHECK("[%*d] [%-*d] [%.*d]", 6, 1, 6, 2, 4, 3);
	CHECK("[%#014llx]", 0x40000000ULL);
	CHECK("[%05d] [%-5d]", -42, -42);
	CHECK("[%4llu.%06llu]", 12ULL, 345ULL);
}

static void test_strings_and_chars(void **state)
{
	(void)state;
	CHECK("%s|%10s|%-10s|%.3s", "abc", "right", "left", "truncate");
	CHECK("%c%c%c %5c", 'T', 'e', 's', 'x');
	CHECK("100%% done");
	char ours[32];
	format_snprintf(ours, sizeof(ours), "%s", (const char *)NULL);
	assert_string_equal(ours, "(null)");
}

static void test_pointer(void **state)
{
	(void)state;
	char ours[32];
	format_snprintf(ours, sizeof(ours), "%p", (void *)0x1234);
	assert_string_equal(ours, "0x1234");
}

static void test_truncation(void **state)
{
	(void)state;
	char buf[8];
	memset(buf, 'X', sizeof(buf));
	int n = format_snprintf(buf, sizeof(buf), "hello, %s", "world");
	assert_int_equal(n, 12);
	assert_string_equal(buf, "hello, ");
	n = format_snprintf(buf, 0, "abc");
	assert_int_equal(n, 3);
	assert_int_equal(buf[0], 'h'); /* size 0: nothing written */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_width_and_flags),
		cmocka_unit_test(test_strings_and_chars),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_truncation),
	};
	return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
