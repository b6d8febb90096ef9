/* SPDX-License-Identifier: Apache-2.0 */
/* Model-specific registers the hypervisor touches (AMD APM vol. 2, appendix A), CPUID
 * and RDTSC. Included by assembly (constants only). */
#ifndef ARCH_IMPL_MSR_H
#define ARCH_IMPL_MSR_H

#include "arch_impl/bits.h"

#define MSR_APIC_BASE 0x0000001b      /* APM vol. 2, 16.3.1 */
#define MSR_APIC_BASE_ENABLE BIT(11)
#define MSR_APIC_BASE_BSP BIT(8)
#define MSR_TSC_DEADLINE 0x000006e0   /* Intel SDM vol. 3, 10.5.4.1 */
#define MSR_EFER 0xc0000080
#define MSR_EFER_LME BIT(8)
#define MSR_EFER_NXE BIT(11)
#define MSR_EFER_SVME BIT(12)
#define MSR_GS_BASE 0xc0000101
#define MSR_VM_CR 0xc0010114          /* APM vol. 2, 15.30.1 */
#define MSR_VM_CR_SVMDIS BIT(4)

#ifndef __ASSEMBLY__
#include "lib/types.h"

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t value)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)) : "memory");
}

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#endif /* !__ASSEMBLY__ */

#endif
