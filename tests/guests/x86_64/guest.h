/* SPDX-License-Identifier: Apache-2.0 */
/* The small runtime our x86_64 test guests share: COM1 console through port I/O, Tessera
 * hypercalls through VMMCALL (rax = number, rdi, rsi, rdx = arguments), power-off through ACPI
 * PM1a_CNT, reset through port 0xcf9, the local APIC, and a trap hook. Each guest defines
 * guest_main (and may define secondary_main and guest_trap). */
#ifndef TEST_GUEST_H
#define TEST_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#define COM1 0x3f8
#define LAPIC_BASE 0xfee00000UL
#define HYPERCALL_TESSERA_VERSION 0x100
#define HYPERCALL_TESSERA_VM_ID 0x101
#define HYPERCALL_TESSERA_VCPU_ID 0x102
#define HYPERCALL_TESSERA_BOOT_COUNT 0x104

struct trap_frame {
	uint64_t rip, cs, rflags, rsp, ss;
};

void putc_uart(char c);
void puts_uart(const char *s);
void put_hex(uint64_t value);
void put_dec(uint64_t value);
/* VMMCALL with the number in rax and arguments in rdi, rsi, rdx, rcx; returns rax. */
uint64_t vmmcall4(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4);
static inline uint64_t vmmcall(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return vmmcall4(nr, a1, a2, a3, 0);
}
__attribute__((noreturn)) void system_off(void);
void system_reset(void);

void guest_main(uint64_t arg);
void secondary_main(uint64_t apic_id);
void guest_trap(uint64_t vector, uint64_t error_code, struct trap_frame *frame);
/* Says which trap no guest code expected, and where, then powers the VM off. */
__attribute__((noreturn)) void report_unexpected_trap(uint64_t vector, uint64_t error_code, const struct trap_frame *frame);
extern char sipi_start[];

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t lapic_read(unsigned reg) { return *(volatile uint32_t *)(LAPIC_BASE + reg); }
static inline void lapic_write(unsigned reg, uint32_t v) { *(volatile uint32_t *)(LAPIC_BASE + reg) = v; }
static inline uint64_t rdtsc(void) { uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((uint64_t)hi << 32) | lo; }
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}
static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

#endif
