/* SPDX-License-Identifier: Apache-2.0 */
/* The global descriptor table and one task-state segment per CPU (AMD APM vol. 2, 4.8 and 12.2.5).
 * In long mode segmentation is flat; the TSS matters only for its interrupt stack table, which
 * gives #DF, NMI and #MC a stack of their own (APM vol. 2, 8.9.4), so even a kernel stack overflow
 * reports its registers instead of triple-faulting. */
#include "arch_impl/segments.h"
#include "arch_impl/setup.h"
#include "arch_impl/vectors.h"
#include "kernel/platform.h"

#define IST_STACK_SIZE 4096

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t io_map_base;
} __packed;

/* Descriptor encodings (APM vol. 2, 4.8.1-4.8.3): code64 has L=1, code32/data have D/B=1 and G=1
 * with a 4 GiB limit. */
uint64_t x86_gdt[GDT_FIXED_ENTRIES + 2 * MAX_CPUS] __aligned(16) = {
	[0] = 0,
	[SELECTOR_CODE64 / 8] = 0x00af9a000000ffffUL,
	[SELECTOR_DATA / 8] = 0x00cf92000000ffffUL,
	[SELECTOR_CODE32 / 8] = 0x00cf9a000000ffffUL,
};

static struct tss cpu_tss[MAX_CPUS] __aligned(16);
static uint8_t critical_stacks[MAX_CPUS][IST_STACK_SIZE] __aligned(16);

static void set_tss_descriptor(unsigned cpu_index)
{
	uint64_t base = (uint64_t)(uintptr_t)&cpu_tss[cpu_index];
	uint64_t limit = sizeof(struct tss) - 1;
	unsigned slot = SELECTOR_TSS_FIRST / 8 + 2 * cpu_index;
	/* A 16-byte system descriptor, type 9 = available 64-bit TSS, present (APM vol. 2, 4.8.3). */
	x86_gdt[slot] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89UL << 40) |
			(((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	x86_gdt[slot + 1] = base >> 32;
}

void x86_gdt_init_cpu(unsigned cpu_index)
{
	struct tss *tss = &cpu_tss[cpu_index];
	tss->ist[IST_CRITICAL - 1] = (uint64_t)(uintptr_t)(critical_stacks[cpu_index] + IST_STACK_SIZE);
	tss->io_map_base = sizeof(struct tss); /* no I/O permission bitmap */
	set_tss_descriptor(cpu_index);

	struct descriptor_pointer gdtr = { sizeof(x86_gdt) - 1, (uint64_t)(uintptr_t)x86_gdt };
	uint16_t tss_selector = SELECTOR_TSS_FIRST + 16 * cpu_index;
	__asm__ volatile(
		"lgdt %0\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movl %2, %%eax\n\t"
		"movl %%eax, %%ds\n\t"
		"movl %%eax, %%es\n\t"
		"movl %%eax, %%ss\n\t"
		"ltr %w3"
		:
		: "m"(gdtr), "i"(SELECTOR_CODE64), "i"(SELECTOR_DATA), "r"(tss_selector)
		: "rax", "memory");
}
