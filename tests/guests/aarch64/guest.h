/* SPDX-License-Identifier: Apache-2.0 */
/* The small runtime our aarch64 test guests share: console, PSCI and Tessera hypercalls through
 * HVC, and hooks for exceptions. Each guest defines guest_main (and may define secondary_main,
 * guest_sync_exception, guest_irq). */
#ifndef TEST_GUEST_H
#define TEST_GUEST_H

#include <stdint.h>

#define UART_BASE 0x09000000UL

void putc_uart(char c);
void puts_uart(const char *s);
void put_hex(uint64_t value);
void put_dec(uint64_t value);
/* HVC with the function in x0 and arguments in x1-x4; returns x0. */
uint64_t hvc4(uint64_t function, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4);
static inline uint64_t hvc(uint64_t function, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return hvc4(function, a1, a2, a3, 0);
}

#define PSCI_VERSION 0x84000000UL
#define PSCI_CPU_OFF 0x84000002UL
#define PSCI_CPU_ON 0xc4000003UL
#define PSCI_AFFINITY_INFO 0xc4000004UL
#define PSCI_SYSTEM_OFF 0x84000008UL
#define PSCI_SYSTEM_RESET 0x84000009UL
#define HYPERCALL_TESSERA_VERSION 0x100
#define HYPERCALL_TESSERA_VM_ID 0x101
#define HYPERCALL_TESSERA_VCPU_ID 0x102
#define HYPERCALL_TESSERA_BOOT_COUNT 0x104

void guest_main(uint64_t dtb);
void secondary_main(uint64_t index);
/* Returns where to resume; the default reports and powers off. */
uint64_t guest_sync_exception(uint64_t esr, uint64_t far, uint64_t elr);
void guest_irq(void);
extern void secondary_start(void);
__attribute__((noreturn)) void system_off(void);

/* System registers by name ("cntv_ctl_el0") or encoding ("S3_0_C12_C12_0"). */
#define write_reg(name, v) __asm__ volatile("msr " name ", %0" ::"r"((uint64_t)(v)) : "memory")
#define read_reg(name) ({ uint64_t v__; __asm__ volatile("mrs %0, " name : "=r"(v__)); v__; })

static inline uint64_t read_mpidr(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(v));
	return v;
}

#endif
