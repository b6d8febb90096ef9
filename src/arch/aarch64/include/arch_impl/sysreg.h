/* SPDX-License-Identifier: Apache-2.0 */
/* System register access for aarch64 (Arm ARM, chapter D13/D19 register descriptions). */
#ifndef ARCH_IMPL_SYSREG_H
#define ARCH_IMPL_SYSREG_H

#include "lib/types.h"

#define read_sysreg(name)                                        \
	({                                                       \
		uint64_t value__;                                \
		__asm__ volatile("mrs %0, " #name : "=r"(value__)); \
		value__;                                         \
	})

#define write_sysreg(name, value) __asm__ volatile("msr " #name ", %0" ::"r"((uint64_t)(value)) : "memory")

#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(option) __asm__ volatile("dsb " #option ::: "memory")

/* MPIDR_EL1 affinity fields Aff3 [39:32], Aff2 [23:16], Aff1 [15:8], Aff0 [7:0] (D19.2.86);
 * the device tree's cpu "reg" uses the same layout. */
#define MPIDR_AFFINITY_MASK 0xff00ffffffULL

#endif
