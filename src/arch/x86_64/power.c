/* SPDX-License-Identifier: Apache-2.0 */
/* Power-off through ACPI S5 and reset.
 * Power-off (ACPI 6.4, 7.4.2 and 16.1.7): write SLP_TYP for S5 with SLP_EN to PM1a_CNT (and PM1b_CNT
 * if present), in ACPI mode. SLP_TYP comes from the DSDT's \_S5 package (acpi.c). QEMU's DSDT
 * declares Package(){0, 0, 0, 0} for \_S5 and its ICH9/PIIX4 power management treats SLP_TYP 0 as
 * "soft off"; a DSDT without \_S5 also leaves 0, which is logged at boot as an assumption.
 * Reset: the FADT's RESET_REG (4.8.4.6), then the chipset's reset control register 0xCF9, then the
 * 8042 keyboard controller's pulse-reset command, then a triple fault. */
#include "arch_impl/acpi.h"
#include "arch_impl/io.h"
#include "arch_impl/setup.h"
#include "arch/boot.h"
#include "arch/cpu.h"
#include "kernel/log.h"

#define PM1_CNT_SCI_EN 0x0001
#define PM1_CNT_SLP_TYP_SHIFT 10
#define PM1_CNT_SLP_TYP_MASK (7u << PM1_CNT_SLP_TYP_SHIFT)
#define PM1_CNT_SLP_EN 0x2000
#define ACPI_MODE_TIMEOUT_US 1000000
#define RESET_CONTROL_PORT 0xcf9
#define RESET_CONTROL_SYS_RST 0x02
#define RESET_CONTROL_RST_CPU 0x04
#define KBC_STATUS_PORT 0x64
#define KBC_INPUT_FULL 0x02
#define KBC_PULSE_RESET 0xfe
#define SETTLE_US 100000

/* Legacy-mode firmware ignores sleep requests until the OS claims ACPI mode through SMI_CMD
 * (ACPI 6.4, 4.8.2.1 and 16.3.1). */
static void enter_acpi_mode(const struct acpi_platform *p)
{
	if ((inw(p->pm1a_control) & PM1_CNT_SCI_EN) || !p->smi_command || !p->acpi_enable)
		return;
	outb(p->smi_command, p->acpi_enable);
	for (uint64_t waited = 0; waited < ACPI_MODE_TIMEOUT_US; waited += 1000) {
		if (inw(p->pm1a_control) & PM1_CNT_SCI_EN)
			return;
		x86_delay_us(1000);
	}
}

static void sleep_request(uint16_t port, uint8_t sleep_type)
{
	uint16_t value = inw(port) & ~(PM1_CNT_SLP_TYP_MASK | PM1_CNT_SLP_EN);
	outw(port, value | (uint16_t)(sleep_type << PM1_CNT_SLP_TYP_SHIFT) | PM1_CNT_SLP_EN);
}

__noreturn void arch_power_off(void)
{
	const struct acpi_platform *p = &acpi_platform;
	arch_irq_disable();
	if (p->pm1a_control) {
		enter_acpi_mode(p);
		sleep_request(p->pm1a_control, p->s5_sleep_type_a);
		if (p->pm1b_control)
			sleep_request(p->pm1b_control, p->s5_sleep_type_b);
		x86_delay_us(SETTLE_US);
		log_error("ACPI S5 through PM1a_CNT %#x did not power off; halting", p->pm1a_control);
	} else {
		log_error("no ACPI PM1a control block to power off with; halting");
	}
	arch_cpu_halt();
}

__noreturn void arch_reset(void)
{
	const struct acpi_platform *p = &acpi_platform;
	arch_irq_disable();
	if (p->reset_supported && p->reset_register_space == 1 /* system I/O */) {
		outb((uint16_t)p->reset_register_address, p->reset_value);
		x86_delay_us(SETTLE_US);
	}
	outb(RESET_CONTROL_PORT, RESET_CONTROL_SYS_RST);
	outb(RESET_CONTROL_PORT, RESET_CONTROL_SYS_RST | RESET_CONTROL_RST_CPU);
	x86_delay_us(SETTLE_US);
	for (int i = 0; i < 1000 && (inb(KBC_STATUS_PORT) & KBC_INPUT_FULL); i++)
		x86_delay_us(10);
	outb(KBC_STATUS_PORT, KBC_PULSE_RESET);
	x86_delay_us(SETTLE_US);
	/* Last resort: an exception with an empty IDT escalates to a triple fault, which resets. */
	struct descriptor_pointer empty = { 0, 0 };
	__asm__ volatile("lidt %0; int3" : : "m"(empty));
	arch_cpu_halt();
}
