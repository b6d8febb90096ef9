/* SPDX-License-Identifier: Apache-2.0 */
/* riscv64-private interfaces shared between the files of src/arch/riscv64 and the riscv-only
 * drivers (PLIC). Nothing outside riscv64 code includes this. */
#ifndef ARCH_IMPL_RISCV_H
#define ARCH_IMPL_RISCV_H

#include "lib/types.h"
#include "arch/timer.h"

struct trap_frame;
struct boot_info;

/* Logical index of the running CPU (from its struct percpu). */
unsigned riscv_cpu_index(void);
/* The device tree the firmware passed, for drivers that read it after boot. */
const void *riscv_boot_fdt(void);

/* cpu_features.c: reads the boot hart's "riscv,isa" from the device tree and probes the CSRs. */
void riscv_features_init(const void *fdt, uint64_t boot_hartid);
bool riscv_has_sstc(void);

/* timer.c: the timebase from /cpus "timebase-frequency". */
void riscv_timer_init(const void *fdt);

/* fault.c: prints the frame of a hypervisor fault and panics. */
__noreturn void riscv_report_fault(const struct trap_frame *frame);

/* probe.S: 0 and the CSR's value, or -1 when reading it trapped. */
__must_check int riscv_probe_hgatp(unsigned long *value);
__must_check int riscv_probe_stimecmp(unsigned long *value);

/* Written early to the SBI console, for failures before the kernel's console exists. */
__noreturn void riscv_early_fatal(const char *message);

#endif
