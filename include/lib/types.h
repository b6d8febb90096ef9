/* SPDX-License-Identifier: Apache-2.0 */
/* Basic types shared by every layer: fixed-width integers from the compiler's freestanding
 * headers plus the hypervisor's address types. Guest-physical and host-physical addresses are
 * distinct types so a mix-up reads wrong in review. */
#ifndef LIB_TYPES_H
#define LIB_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t paddr_t; /* a physical address of the machine the hypervisor runs on */
typedef uint64_t vaddr_t; /* a virtual address in the hypervisor's own address space */
typedef uint64_t gpa_t;   /* guest-physical address */
typedef uint64_t hpa_t;   /* host-physical address backing guest memory */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((a) - 1)) == 0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define UNUSED(x) ((void)(x))
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)

/* A little-endian 64-bit value at any alignment (image headers). */
static inline uint64_t load_le64(const void *p)
{
	const uint8_t *b = p;
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)

#define __packed __attribute__((packed))
#define __aligned(n) __attribute__((aligned(n)))
#define __noreturn __attribute__((noreturn))
#define __section(s) __attribute__((section(s)))
#define __used __attribute__((used))
#define __printf_like(f, a) __attribute__((format(printf, f, a)))
/* Errors and allocations: a caller that drops the result fails to build, so no failure goes unseen. */
#define __must_check __attribute__((warn_unused_result))

#endif
