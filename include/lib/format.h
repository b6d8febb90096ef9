/* SPDX-License-Identifier: Apache-2.0 */
/* printf-style formatting without global state. Supports the flags '-', '0', ' ', '+', '#', field
 * width and precision (also '*'), length modifiers hh h l ll z t j, and conversions d i u x X o c s p %.
 * Host code links the C library's printf family, so these carry their own names. */
#ifndef LIB_FORMAT_H
#define LIB_FORMAT_H

#include "lib/types.h"

/* Called once per output character; ctx is passed through untouched. */
typedef void (*format_putc_fn)(void *ctx, char c);

/* Formats to a callback; returns the number of characters produced. */
int format_callback(format_putc_fn putc, void *ctx, const char *fmt, va_list ap);

/* snprintf semantics: writes at most size-1 characters plus a NUL (when size > 0) and returns the
 * length the full output would have had. */
int format_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int format_snprintf(char *buf, size_t size, const char *fmt, ...) __printf_like(3, 4);

#endif
