/* SPDX-License-Identifier: Apache-2.0 */
/* Internal interfaces between the x86_64 arch files: the boot path (boot.c) calls these in order
 * before kernel_main, and secondaries (smp.c) repeat the per-CPU ones. */
#ifndef ARCH_IMPL_SETUP_H
#define ARCH_IMPL_SETUP_H

#include "lib/types.h"
#include "kernel/platform.h"

/* boot.c: set once the boot CPU enters kernel_main (which sets up the console first); before, a
 * fault report goes to COM1 directly. */
extern bool x86_kernel_started;
void x86_early_serial_write(const char *s, size_t len);
/* boot.c: logs what the boot path found or assumed (called once the log works). */
void x86_boot_report(void);
/* gdt.c: loads the shared GDT, this CPU's TSS (with its interrupt stack) and the segment registers. */
void x86_gdt_init_cpu(unsigned cpu_index);
/* idt.c: fills the IDT once; loads it on the calling CPU. */
void x86_idt_init(void);
void x86_idt_load(void);
/* multiboot.c: RAM, reserved regions and the command line from the multiboot information. */
__must_check int x86_multiboot_parse(struct boot_info *info, uint32_t magic, uint32_t info_address);
/* tsc.c: measures the TSC frequency against the PIT; arch_timer_now() is the TSC. */
void x86_tsc_calibrate(void);
uint64_t x86_tsc_frequency(void);
/* Logs the rate, the bound on its error and the window it took (once the log works). */
void x86_tsc_report(void);
/* Busy-waits using the calibrated TSC. */
void x86_delay_us(uint64_t microseconds);
/* pit.c: one window of at least pit_ticks ticks of PIT channel 2, timed by the TSC. */
struct pit_window {
	uint16_t pit_ticks;    /* between the window's two changes of the count */
	uint64_t tsc_ticks_x2; /* the TSC ticks between them, doubled (each end is a bracket's middle) */
	uint64_t error_x2;     /* the most that can be wrong in tsc_ticks_x2 */
};
/* false: the count never changed (no PIT, or its clock gated off). */
__must_check bool x86_pit_measure_tsc(uint16_t pit_ticks, struct pit_window *w);
#define PIT_FREQUENCY_HZ 1193182u
/* timer.c: the boot CPU starts its LAPIC timer counting, masked, for the timer's calibration. */
void x86_lapic_timer_start_count(void);
/* smp.c: remembers each logical CPU's APIC id for IPIs. */
void x86_smp_record_apic_ids(const struct boot_info *info);
/* smp.c: entered from the AP trampoline in long mode on the stack arch_cpu_start gave. */
__noreturn void x86_secondary_main(unsigned cpu_index);
/* mmu.c: the boot page tables built by entry32.S (identity map of the low 4 GiB). */
extern uint64_t x86_boot_pml4[512];

/* CR and descriptor-table helpers. */
static inline uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }

struct descriptor_pointer {
	uint16_t limit;
	uint64_t base;
} __packed;

#endif
