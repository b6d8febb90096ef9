/* SPDX-License-Identifier: Apache-2.0 */
/* Exit costs in guest TSC ticks (bench/x86_64/run.sh runs this under -icount shift=0, so a tick
 * is one executed instruction, guest's or hypervisor's, not wall-clock noise): the floor, a bare
 * VMRUN/#VMEXIT round trip (a VMMCALL with a number no hypercall has, which the hypervisor's hot
 * exit path, svm_hot_exit in src/virt/x86_64/vcpu.c, sends straight back into the guest: the same
 * entry, exit and checks as any hot exit, with nothing answered); a Tessera VMMCALL (the version,
 * which the core answers in place on that same path: the floor plus the answer); and a read of an
 * emulated MMIO register (the local APIC's version: instruction fetch, decoder and device bus, on
 * the hot exit path); and a CPUID (leaf 0, filtered by the hypervisor's CPUID policy); and the
 * local APIC timer's latency in TSC-deadline mode, from the deadline to the guest's interrupt
 * handler, the vCPU halted between, as a distribution of LATENCY_SAMPLES (common/latency.c); then
 * the same with the vCPU running between (a busy guest's timer: the interrupt makes it exit). */
#include "guest.h"
#include "../common/latency.c"

#define ROUNDS 2000
#define NULL_EXIT 0x7f000000UL
#define TIMER_VECTOR 0x40
#define LATENCY_SAMPLES 10000
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_LVT_TIMER 0x320
#define MSR_TSC_DEADLINE 0x6e0

static volatile uint64_t deadline, samples;
static struct latency halted, running, *timer = &halted;

void guest_trap(uint64_t vector, uint64_t error_code, struct trap_frame *frame)
{
	uint64_t now = rdtsc();
	(void)error_code;
	(void)frame;
	if (vector == TIMER_VECTOR) {
		latency_add(timer, now - deadline);
		samples++;
	}
	lapic_write(LAPIC_EOI, 0);
}

/* Into `into`: halting until each interrupt, or spinning with interrupts enabled. */
static void timer_latency(struct latency *into, int halt)
{
	timer = into;
	lapic_write(LAPIC_SVR, 0x1ff);
	lapic_write(LAPIC_LVT_TIMER, TIMER_VECTOR | (2u << 17)); /* TSC-deadline mode */
	for (unsigned i = 0; i < LATENCY_SAMPLES; i++) {
		uint64_t before = samples;
		deadline = rdtsc() + 20000;
		__asm__ volatile("wrmsr" : : "c"(MSR_TSC_DEADLINE), "a"((uint32_t)deadline), "d"((uint32_t)(deadline >> 32)));
		if (halt) {
			while (samples == before)
				__asm__ volatile("sti; hlt; cli");
		} else {
			__asm__ volatile("sti");
			while (samples == before)
				__asm__ volatile("pause");
			__asm__ volatile("cli");
		}
	}
}

static void cpuid_leaf(uint32_t leaf)
{
	uint32_t a = leaf, b, c = 0, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
}

static uint64_t measure(int what)
{
	uint64_t start = rdtsc();
	for (int i = 0; i < ROUNDS; i++) {
		if (what == 0)
			vmmcall(NULL_EXIT, 0, 0, 0);
		else if (what == 1)
			vmmcall(HYPERCALL_TESSERA_VERSION, 0, 0, 0);
		else if (what == 3)
			cpuid_leaf(0);
		else
			(void)lapic_read(0x30);
	}
	return (rdtsc() - start) / ROUNDS;
}

void guest_main(uint64_t arg)
{
	(void)arg;
	uint64_t floor = measure(0), call = measure(1), mmio = measure(2), id = measure(3);
	puts_uart("bench: bare VMRUN/#VMEXIT floor ");
	put_dec(floor);
	puts_uart(" ticks\nbench: VMMCALL round trip ");
	put_dec(call);
	puts_uart(" ticks (");
	put_dec(call * 100 / (floor ? floor : 1));
	puts_uart("% of the floor)\nbench: emulated MMIO read ");
	put_dec(mmio);
	puts_uart(" ticks\nbench: CPUID round trip ");
	put_dec(id);
	puts_uart(" ticks\n");
	timer_latency(&halted, 1);
	latency_report("tsc_deadline", &halted, 1); /* the LAPIC timer, TSC deadline to the handler */
	timer_latency(&running, 0);
	latency_report("tsc_deadline_running", &running, 1);
	system_off();
}
