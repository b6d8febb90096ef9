/* SPDX-License-Identifier: Apache-2.0 */
/* The C string and memory functions, freestanding. Host builds (unit tests, tools) get the same
 * prototypes and link the C library's implementations instead of src/lib/string.c. */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include "lib/types.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
char *strrchr(const char *s, int c);
void *memchr(const void *s, int c, size_t n);

#endif
