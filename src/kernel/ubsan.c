/* SPDX-License-Identifier: Apache-2.0 */
/* The undefined-behaviour runtime of a hypervisor built with `make UBSAN=1` (clang's
 * -fsanitize=undefined -fno-sanitize-recover=undefined): the instrumented code calls one of these
 * handlers where it would do something C leaves undefined (a signed overflow, a shift past the
 * width, an out-of-bounds index, a misaligned or null access, an invalid bool or enum value,
 * __builtin_unreachable reached...). Each says what and where, then stops the machine through
 * panic: a hypervisor that has gone wrong must not go on. The handlers' data starts with the
 * source location (clang's compiler-rt ubsan_handlers.h); the values are not decoded, the place is
 * what one needs to look. */
#include "kernel/panic.h"
#include "lib/types.h"

struct source_location {
	const char *file;
	uint32_t line;
	uint32_t column;
};

static __noreturn void report(const char *what, const void *data)
{
	const struct source_location *at = data;
	panic("undefined behaviour (UBSan): %s at %s:%u:%u", what, at->file ? at->file : "?", at->line, at->column);
}

/* One handler per check; the names are clang's, the argument lists too (only data is read). */
#define HANDLER(name, what) \
	__noreturn void __ubsan_handle_##name(const void *data, ...); \
	__noreturn void __ubsan_handle_##name(const void *data, ...) { report(what, data); }

HANDLER(type_mismatch_v1_abort, "a null, misaligned or too small object accessed")
HANDLER(alignment_assumption_abort, "an alignment assumption that does not hold")
HANDLER(add_overflow_abort, "a signed addition overflowed")
HANDLER(sub_overflow_abort, "a signed subtraction overflowed")
HANDLER(mul_overflow_abort, "a signed multiplication overflowed")
HANDLER(negate_overflow_abort, "a signed negation overflowed")
HANDLER(divrem_overflow_abort, "a division by zero or of INT_MIN by -1")
HANDLER(shift_out_of_bounds_abort, "a shift by the width or more, or of a negative value")
HANDLER(out_of_bounds_abort, "an array index out of bounds")
HANDLER(builtin_unreachable, "__builtin_unreachable reached")
HANDLER(missing_return, "the end of a function that returns a value reached")
HANDLER(vla_bound_not_positive_abort, "a variable-length array of non-positive size")
HANDLER(float_cast_overflow_abort, "a float converted to an integer that cannot hold it")
HANDLER(load_invalid_value_abort, "a bool or enum holding a value it cannot have")
HANDLER(invalid_builtin_abort, "a builtin given an invalid argument (clz/ctz of zero)")
HANDLER(nonnull_arg_abort, "NULL passed for a nonnull parameter")
HANDLER(nonnull_return_v1_abort, "NULL returned from a returns_nonnull function")
HANDLER(pointer_overflow_abort, "pointer arithmetic that wrapped or left its object")
