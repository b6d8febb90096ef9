/* SPDX-License-Identifier: Apache-2.0 */
/* What the arch learns from the ACPI tables (ACPI 6.4, 5.2) and shares with the x86 irqchip driver
 * and power-off: the interrupt controllers from the MADT and the PM1 control block from the FADT. */
#ifndef ARCH_IMPL_ACPI_H
#define ARCH_IMPL_ACPI_H

#include "lib/types.h"
#include "kernel/platform.h"

#define ACPI_MAX_IOAPICS 4
#define ACPI_MAX_OVERRIDES 16

/* MPS INTI flags of an interrupt source override (ACPI 6.4, table 5.26). */
#define ACPI_INTI_POLARITY_MASK 0x3
#define ACPI_INTI_POLARITY_HIGH 0x1
#define ACPI_INTI_POLARITY_LOW 0x3
#define ACPI_INTI_TRIGGER_MASK 0xc
#define ACPI_INTI_TRIGGER_EDGE 0x4
#define ACPI_INTI_TRIGGER_LEVEL 0xc

struct acpi_ioapic {
	paddr_t address;
	uint32_t gsi_base;
	uint8_t id;
};

struct acpi_irq_override {
	uint8_t isa_irq;
	uint32_t gsi;
	uint16_t flags; /* ACPI_INTI_* */
};

struct acpi_platform {
	bool found;
	uint8_t revision;              /* of the RSDP: 0 = RSDT only, 2+ = XSDT */
	char name[16];                 /* the root table's OEM id and OEM table id, e.g. "BOCHS BXPC" */
	paddr_t lapic_address;
	unsigned cpus_ignored;         /* enabled CPUs beyond MAX_CPUS or with an x2APIC-only id */
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned ioapic_count;
	struct acpi_irq_override overrides[ACPI_MAX_OVERRIDES];
	unsigned override_count;
	bool legacy_pics;              /* MADT flag PCAT_COMPAT: an 8259 pair exists and must be masked */
	uint16_t pm1a_control;         /* I/O port of PM1a_CNT, 0 if none */
	uint16_t pm1b_control;
	uint16_t smi_command;          /* FADT SMI_CMD, ACPI_ENABLE: how to switch to ACPI mode */
	uint8_t acpi_enable;
	uint8_t s5_sleep_type_a, s5_sleep_type_b; /* SLP_TYP values for S5 from the DSDT's \_S5 */
	bool s5_from_dsdt;             /* false: not found in the DSDT, 0 assumed */
	uint8_t reset_register_space;  /* FADT RESET_REG (ACPI 6.4, 4.8.4.6), 1 = system I/O */
	uint64_t reset_register_address;
	uint8_t reset_value;
	bool reset_supported;
};

extern struct acpi_platform acpi_platform;

/* Finds the RSDP and reads the MADT and FADT into acpi_platform; fills the CPU list of info (the
 * boot CPU first), the irqchip description and the console's interrupt. Returns 0 or -ENODEV. */
__must_check int acpi_init(struct boot_info *info, uint32_t boot_apic_id);

/* The global system interrupt and INTI flags an ISA IRQ arrives on, after the MADT's overrides. */
uint32_t acpi_isa_irq_to_gsi(unsigned isa_irq, uint16_t *flags);

/* Finds the override whose target is this GSI (to learn its polarity and trigger); NULL if none. */
const struct acpi_irq_override *acpi_override_for_gsi(uint32_t gsi);

#endif
