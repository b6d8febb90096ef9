/* SPDX-License-Identifier: Apache-2.0 */
/* Shared runtime of the riscv64 test guests (see guest.h). */
#include "guest.h"

#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_THRE 0x20

void putc_uart(char c)
{
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
	while (!(uart[UART_LSR] & UART_LSR_THRE))
		;
	uart[UART_THR] = (uint8_t)c;
}

struct sbiret sbi_call4(uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t r0 __asm__("a0") = a0;
	register uint64_t r1 __asm__("a1") = a1;
	register uint64_t r2 __asm__("a2") = a2;
	register uint64_t r3 __asm__("a3") = a3;
	register uint64_t r6 __asm__("a6") = fid;
	register uint64_t r7 __asm__("a7") = eid;
	__asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r3), "r"(r6), "r"(r7) : "memory");
	return (struct sbiret){ (long)r0, (long)r1 };
}

void system_off(void)
{
	sbi_call(SBI_EXT_SRST, 0, 0, 0, 0); /* shutdown */
	puts_uart("SRST shutdown returned!\n");
	for (;;)
		__asm__ volatile("wfi");
}

__attribute__((weak)) void secondary_main(uint64_t hartid, uint64_t opaque)
{
	(void)hartid;
	(void)opaque;
	sbi_call(SBI_EXT_HSM, 1, 0, 0, 0); /* hart_stop */
}

/* Set while guest_has_sstc reads stimecmp: the illegal-instruction trap that answers "no" is
 * the runtime's, not the guest's. */
static volatile int probing_sstc, sstc_probe_faulted;

#define EXC_ILLEGAL_INSTRUCTION 2

uint64_t guest_trap_exception(uint64_t scause, uint64_t stval, uint64_t sepc)
{
	if (probing_sstc && scause == EXC_ILLEGAL_INSTRUCTION) {
		sstc_probe_faulted = 1;
		return sepc + 4; /* the probe's csrr, assembled without compression */
	}
	return guest_exception(scause, stval, sepc);
}

int guest_has_sstc(void)
{
	uint64_t value;
	sstc_probe_faulted = 0;
	probing_sstc = 1;
	__asm__ volatile(".option push\n.option norvc\ncsrr %0, 0x14d\n.option pop" : "=r"(value) :: "memory");
	probing_sstc = 0;
	(void)value;
	return !sstc_probe_faulted;
}

__attribute__((weak)) uint64_t guest_exception(uint64_t scause, uint64_t stval, uint64_t sepc)
{
	puts_uart("unexpected exception: scause ");
	put_hex(scause);
	puts_uart(" stval ");
	put_hex(stval);
	puts_uart(" sepc ");
	put_hex(sepc);
	putc_uart('\n');
	system_off();
}

__attribute__((weak)) void guest_interrupt(uint64_t cause)
{
	puts_uart("unexpected interrupt ");
	put_dec(cause);
	putc_uart('\n');
}
