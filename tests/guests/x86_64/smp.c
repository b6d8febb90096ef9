/* SPDX-License-Identifier: Apache-2.0 */
/* Starts vCPUs 1-3 with INIT and STARTUP IPIs through the local APIC's ICR (the MP start-up
 * sequence); each reports its APIC id from long mode, then the boot vCPU sends each a fixed IPI. */
#include "guest.h"

#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define LAPIC_SVR 0xf0
#define LAPIC_EOI 0xb0
#define IPI_VECTOR 0x50
#define MAX_VCPUS 8

static volatile int started[MAX_VCPUS];
static volatile int pinged[MAX_VCPUS];

void guest_trap(uint64_t vector, uint64_t error_code, struct trap_frame *frame)
{
	(void)error_code;
	(void)frame;
	if (vector == IPI_VECTOR) {
		uint32_t id = lapic_read(0x20) >> 24;
		pinged[id] = 1;
		lapic_write(LAPIC_EOI, 0);
	}
}

void secondary_main(uint64_t apic_id)
{
	lapic_write(LAPIC_SVR, 0x1ff);
	started[apic_id] = 1;
	for (;;)
		__asm__ volatile("sti; hlt; cli");
}

static void send_ipi(uint32_t apic_id, uint32_t low)
{
	lapic_write(LAPIC_ICR_HIGH, apic_id << 24);
	lapic_write(LAPIC_ICR_LOW, low);
}

void guest_main(uint64_t arg)
{
	(void)arg;
	int count = 1;
	lapic_write(LAPIC_SVR, 0x1ff);
	for (uint32_t id = 1; id < 4; id++) {
		send_ipi(id, 0x4500);                                       /* INIT, assert */
		send_ipi(id, 0x4600 | (uint32_t)((uint64_t)sipi_start >> 12)); /* STARTUP */
		for (unsigned spin = 0; !started[id] && spin < 100000000; spin++)
			__asm__ volatile("pause");
		if (!started[id])
			break;
		count++;
		puts_uart("smp guest: vCPU ");
		put_dec(id);
		puts_uart(" is up\n");
	}
	for (uint32_t id = 1; id < (uint32_t)count; id++) {
		send_ipi(id, IPI_VECTOR);
		for (unsigned spin = 0; !pinged[id] && spin < 100000000; spin++)
			__asm__ volatile("pause");
	}
	int answered = 0;
	for (int id = 1; id < count; id++)
		answered += pinged[id];
	puts_uart("smp guest: ");
	put_dec((uint64_t)count);
	puts_uart(" vCPUs ran, ");
	put_dec((uint64_t)answered);
	puts_uart(" answered a fixed IPI\n");
	system_off();
}
