/* SPDX-License-Identifier: Apache-2.0 */
/* The interrupt descriptor table: 256 interrupt gates into the stubs of vectors.S (AMD APM vol. 2,
 * 4.8.4 "Gate descriptors" and 8.9). Interrupt gates clear IF on entry, so every trap runs masked.
 * #DF, NMI and #MC switch to the CPU's critical stack (IST, see gdt.c). */
#include "arch_impl/segments.h"
#include "arch_impl/setup.h"
#include "arch_impl/vectors.h"

#define STUB_SIZE 16 /* vectors.S aligns each stub to this */
#define GATE_INTERRUPT_PRESENT 0x8e /* P=1, DPL=0, type 0xE = 64-bit interrupt gate */

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attributes;
	uint16_t offset_middle;
	uint32_t offset_high;
	uint32_t reserved;
} __packed;

extern const char x86_vector_stubs[];

static struct idt_gate idt[256] __aligned(16);

static unsigned ist_for(unsigned vector)
{
	switch (vector) {
	case VECTOR_NMI:
	case VECTOR_DOUBLE_FAULT:
	case VECTOR_MACHINE_CHECK:
		return IST_CRITICAL;
	default:
		return 0;
	}
}

void x86_idt_init(void)
{
	for (unsigned vector = 0; vector < 256; vector++) {
		uint64_t handler = (uint64_t)(uintptr_t)(x86_vector_stubs + vector * STUB_SIZE);
		idt[vector] = (struct idt_gate){
			.offset_low = handler & 0xffff,
			.selector = SELECTOR_CODE64,
			.ist = ist_for(vector),
			.type_attributes = GATE_INTERRUPT_PRESENT,
			.offset_middle = (handler >> 16) & 0xffff,
			.offset_high = handler >> 32,
		};
	}
}

void x86_idt_load(void)
{
	struct descriptor_pointer idtr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
	__asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}
