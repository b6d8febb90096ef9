/* SPDX-License-Identifier: Apache-2.0 */
/* The Linux 64-bit boot path of x86 guests (linux_boot.c, guest_acpi.c): the guest-physical layout
 * of what Tessera writes into low memory, and the state the boot vCPU starts with. */
#ifndef ARCH_IMPL_GUEST_BOOT_H
#define ARCH_IMPL_GUEST_BOOT_H

#include "lib/types.h"

/* Low guest memory (below the EBDA Linux keeps clear of, Documentation/arch/x86/boot.rst "memory
 * layout"); the VM needs a RAM region covering it. */
#define LINUX_GDT_GPA 0x1000ULL
#define LINUX_BOOT_PARAMS_GPA 0x7000ULL
#define LINUX_PAGE_TABLES_GPA 0x9000ULL   /* PML4, PDPT, 4 page directories: 0x9000-0xefff */
#define LINUX_PAGE_TABLES_SIZE 0x6000ULL
#define LINUX_CMDLINE_GPA 0x20000ULL
#define LINUX_CMDLINE_MAX 0x1000ULL
#define LINUX_ACPI_GPA 0x9c000ULL          /* to 0xa0000: e820 "ACPI data" */
#define LINUX_ACPI_SIZE 0x4000ULL
#define LINUX_LOW_RAM_END 0xa0000ULL       /* the legacy hole 0xa0000-0xfffff is never RAM */
#define LINUX_HIGH_RAM_START 0x100000ULL

/* What the boot vCPU starts with when the VM boots a Linux bzImage (64-bit boot protocol). */
struct linux_boot {
	bool active;
	uint64_t entry;        /* startup_64: the protected-mode kernel + 0x200 */
	uint64_t boot_params;  /* rsi */
	uint64_t cr3;
	uint64_t gdt_base;
	uint16_t gdt_limit;
};

/* Writes RSDP, XSDT, FACS, FADT, DSDT and MADT for 'cpus' local APICs into buf, which the guest
 * sees at 'base'; returns the bytes used (the RSDP first), or 0 when buf is too small. */
__must_check size_t x86_guest_acpi_build(uint8_t *buf, size_t size, uint64_t base, unsigned cpus);

#endif
