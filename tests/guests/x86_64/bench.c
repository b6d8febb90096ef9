/* Exit costs in guest TSC ticks (bench/x86_64/run.sh runs this under -icount shift=0, so a tick
 * is one executed instruction, guest's or hypervisor's, not wall-clock noise): the floor, a bare
 * VMRUN/#VMEXIT round trip (a VMMCALL with a number no hypercall has, which the hypervisor's hot
 * exit path, svm_hot_exit in src/arch/x86_64/vcpu.c, sends straight back into the guest: the same
 * entry, exit and checks as any hot exit, with nothing answered); a Tessera VMMCALL (the version,
 * which the core answers in place on that same path: the floor plus the answer); and a read of an
 * emulated MMIO register (the local APIC's version: the full path, decoder and device bus); and
 * a CPUID (leaf 0, filtered by the hypervisor's CPUID policy). */
#include "guest.h"

#define ROUNDS 2000
#define NULL_EXIT 0x7f000000UL

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
	system_off();
}
