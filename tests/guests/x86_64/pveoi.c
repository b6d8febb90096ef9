/* SPDX-License-Identifier: Apache-2.0 */
/* The paravirtual EOI (src/virt/x86_64/guest_pv_eoi.c, KVM's MSR_KVM_PV_EOI_EN as Linux uses it):
 * the guest finds the feature at CPUID 0x40000101, refuses what must be refused (a reserved bit,
 * a word outside its RAM: #GP), enables it, and takes ROUNDS TSC-deadline interrupts, each ended
 * as Linux's kvm_guest_apic_eoi_write does: by clearing bit 0 of its word where the hypervisor set
 * it, else by writing the EOI register. An end signalled through the word that the hypervisor did
 * not carry out would leave the vector in service and block every later one: the guest would wait
 * for ever. It reports how many ends went each way. */
#include "guest.h"

#define TIMER_VECTOR 0x40
#define ROUNDS 1000
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_LVT_TIMER 0x320
#define MSR_TSC_DEADLINE 0x6e0u
#define MSR_KVM_PV_EOI_EN 0x4b564d04u
#define VECTOR_GP 13

static volatile uint32_t eoi_word __attribute__((aligned(4)));
static volatile unsigned faults, taken, through_word, through_register;

void guest_trap(uint64_t vector, uint64_t error_code, struct trap_frame *frame)
{
	if (vector == VECTOR_GP) {
		faults++;
		frame->rip += 2; /* past the WRMSR (0F 30) */
		return;
	}
	if (vector != TIMER_VECTOR)
		report_unexpected_trap(vector, error_code, frame);
	taken++;
	/* Linux's kvm_guest_apic_eoi_write: a locked test-and-clear of bit 0. */
	unsigned char was_set;
	__asm__ volatile("lock btrl $0, %0; setc %1" : "+m"(eoi_word), "=q"(was_set) : : "memory", "cc");
	if (was_set) {
		through_word++;
	} else {
		through_register++;
		lapic_write(LAPIC_EOI, 0);
	}
}

static void try(const char *what, uint64_t value)
{
	unsigned before = faults;
	wrmsr(MSR_KVM_PV_EOI_EN, value);
	puts_uart("pveoi guest: ");
	puts_uart(what);
	puts_uart(faults != before ? ": #GP\n" : ": taken\n");
}

void guest_main(uint64_t arg)
{
	(void)arg;
	uint32_t a = 0x40000101, b, c = 0, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	puts_uart((a >> 6) & 1 ? "pveoi guest: KVM_FEATURE_PV_EOI offered\n" : "pveoi guest: no PV EOI\n");
	uint64_t word = (uint64_t)(uintptr_t)&eoi_word;
	try("a reserved bit", word | 3);
	try("a word outside RAM", 0x7ff00000ull | 1);
	try("its word", word | 1);
	puts_uart(rdmsr(MSR_KVM_PV_EOI_EN) == (word | 1) ? "pveoi guest: the MSR reads back\n" : "pveoi guest: the MSR reads wrong\n");
	lapic_write(LAPIC_SVR, 0x1ff);
	lapic_write(LAPIC_LVT_TIMER, TIMER_VECTOR | (2u << 17)); /* TSC-deadline mode */
	for (unsigned i = 0; i < ROUNDS; i++) {
		unsigned before = taken;
		wrmsr(MSR_TSC_DEADLINE, rdtsc() + 20000);
		while (taken == before)
			__asm__ volatile("sti; hlt; cli");
	}
	puts_uart("pveoi guest: ");
	put_dec(taken);
	puts_uart(" interrupts, ");
	put_dec(through_word);
	puts_uart(" ended through the word, ");
	put_dec(through_register);
	puts_uart(" through the EOI register\n");
	system_off();
}
