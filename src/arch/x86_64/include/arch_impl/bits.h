/* SPDX-License-Identifier: Apache-2.0 */
/* BIT(n) usable from both C (64-bit unsigned long) and assembly (plain integer). */
#ifndef ARCH_IMPL_BITS_H
#define ARCH_IMPL_BITS_H

#ifdef __ASSEMBLY__
#define BIT(n) (1 << (n))
#else
#define BIT(n) (1UL << (n))
#endif

#endif
