/* SPDX-License-Identifier: Apache-2.0 */
/* The small runtime our riscv64 test guests share: an NS16550 console, SBI calls (and Tessera
 * hypercalls on SBI extension 0x485643), and hooks for traps. Each guest defines guest_main (and
 * may define secondary_main, guest_exception, guest_interrupt). Guests run in VS-mode with the
 * Linux boot protocol: a0 = hart id, a1 = device tree. */
#ifndef TEST_GUEST_H
#define TEST_GUEST_H

#include <stdint.h>

#define UART_BASE 0x10000000UL

void putc_uart(char c);
void puts_uart(const char *s);
void put_hex(uint64_t value);
void put_dec(uint64_t value);

struct sbiret {
	long error;
	long value;
};
/* An SBI call: extension in a7, function in a6, arguments in a0-a3; error in a0, value in a1. */
struct sbiret sbi_call4(uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
static inline struct sbiret sbi_call(uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2)
{
	return sbi_call4(eid, fid, a0, a1, a2, 0);
}

#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494d45
#define SBI_EXT_IPI 0x735049
#define SBI_EXT_HSM 0x48534d
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_DBCN 0x4442434e
#define SBI_EXT_TESSERA 0x485643
#define HYPERCALL_TESSERA_VERSION 0x100
#define HYPERCALL_TESSERA_VM_ID 0x101
#define HYPERCALL_TESSERA_VCPU_ID 0x102
#define HYPERCALL_TESSERA_BOOT_COUNT 0x104

static inline long hypercall(uint64_t nr)
{
	return sbi_call(SBI_EXT_TESSERA, nr, 0, 0, 0).value;
}

void guest_main(uint64_t hartid, uint64_t dtb);
void secondary_main(uint64_t hartid, uint64_t opaque);
/* Synchronous exceptions: returns where to resume; the default reports and powers off. */
uint64_t guest_exception(uint64_t scause, uint64_t stval, uint64_t sepc);
/* Interrupts (cause without the top bit). */
void guest_interrupt(uint64_t cause);
/* Whether the hart has Sstc: stimecmp (CSR 0x14d) reads, where without it the read is an
 * illegal instruction (privileged spec 20211203, 2.1), which the runtime catches. */
int guest_has_sstc(void);
extern void secondary_start(void);
__attribute__((noreturn)) void system_off(void);

#define csr_read(csr) ({ uint64_t __v; __asm__ volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" :: "r"((uint64_t)(v)) : "memory")
#define csr_set(csr, v) __asm__ volatile("csrs " #csr ", %0" :: "r"((uint64_t)(v)) : "memory")
#define csr_clear(csr, v) __asm__ volatile("csrc " #csr ", %0" :: "r"((uint64_t)(v)) : "memory")

#endif
