/* SPDX-License-Identifier: Apache-2.0 */
/* Triple-faults on purpose: with an empty IDT, a #UD cannot be delivered (#GP), nor can the #GP
 * (#DF), nor the #DF: the CPU shuts down, and Tessera must stop the VM and report its state and
 * its last exits (among them this guest's own COM1 writes). */
#include "guest.h"

void guest_main(uint64_t arg)
{
	(void)arg;
	puts_uart("tripfault: loading an empty IDT\n");
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} empty = { 0, 0 };
	__asm__ volatile("lidt %0\n\tud2" : : "m"(empty));
	puts_uart("tripfault: still running\n");
	system_off();
}
