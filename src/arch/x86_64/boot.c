/* SPDX-License-Identifier: Apache-2.0 */
/* The boot CPU's path from entry64.S to kernel_main: descriptor tables, per-CPU pointer, TSC
 * calibration (the log's clock), then struct boot_info from multiboot and ACPI. Nothing can be
 * logged before kernel_main sets up the console, so what went wrong or was assumed here is kept and
 * reported by x86_boot_report() once the log works (only a fault report goes to COM1 earlier). */
#include "arch_impl/acpi.h"
#include "arch_impl/io.h"
#include "arch_impl/lapic.h"
#include "arch_impl/setup.h"
#include "arch_impl/vectors.h"
#include "arch/boot.h"
#include "kernel/log.h"
#include "kernel/percpu.h"

#define COM1_PORT 0x3f8
#define COM1_ISA_IRQ 4
#define DEFAULT_LAPIC_ADDRESS 0xfee00000UL
#define DEFAULT_IOAPIC_ADDRESS 0xfec00000UL
#define APIC_WINDOW_SIZE 0x1000

extern char __image_start[], __image_end[];

static struct boot_info boot_info;
bool x86_kernel_started;
static int multiboot_status, acpi_status;

static void describe_irqchip(struct boot_info *info)
{
	struct irqchip_desc *chip = &info->irqchip;
	chip->compatible = "x86,lapic-ioapic";
	chip->fdt_node = -1;
	/* regs[0] is the LAPIC, then the IOAPICs in MADT order (their GSI bases: acpi_platform). */
	chip->regs[0] = acpi_platform.lapic_address ? acpi_platform.lapic_address : DEFAULT_LAPIC_ADDRESS;
	chip->sizes[0] = APIC_WINDOW_SIZE;
	chip->reg_count = 1;
	for (unsigned i = 0; i < acpi_platform.ioapic_count && chip->reg_count < ARRAY_SIZE(chip->regs); i++) {
		chip->regs[chip->reg_count] = acpi_platform.ioapics[i].address;
		chip->sizes[chip->reg_count++] = APIC_WINDOW_SIZE;
	}
	if (acpi_platform.ioapic_count == 0) {
		/* No MADT: the IOAPIC every PC chipset has, at its architectural address. */
		acpi_platform.ioapics[0] = (struct acpi_ioapic){ DEFAULT_IOAPIC_ADDRESS, 0, 0 };
		acpi_platform.ioapic_count = 1;
		chip->regs[1] = DEFAULT_IOAPIC_ADDRESS;
		chip->sizes[1] = APIC_WINDOW_SIZE;
		chip->reg_count = 2;
	}
}

__noreturn void x86_boot_main(uint32_t magic, uint32_t multiboot_info)
{
	x86_gdt_init_cpu(0);
	arch_set_this_cpu(percpu_of(0));
	x86_idt_init();
	x86_idt_load();
	x86_lapic_setup();
	x86_lapic_timer_start_count();
	x86_tsc_calibrate();

	struct boot_info *info = &boot_info;
	info->fdt = NULL;
	info->image_start = (paddr_t)(uintptr_t)__image_start;
	info->image_end = (paddr_t)(uintptr_t)__image_end;
	multiboot_status = x86_multiboot_parse(info, magic, multiboot_info);
	acpi_status = acpi_init(info, lapic_id());
	info->platform_name = acpi_platform.found ? acpi_platform.name : NULL;
	x86_smp_record_apic_ids(info);
	describe_irqchip(info);
	info->console = (struct uart_desc){
		.kind = UART_NS16550_PIO,
		.base = COM1_PORT,
		.reg_shift = 0,
		.reg_width = 1,
		.irq = VECTOR_GSI_BASE + acpi_isa_irq_to_gsi(COM1_ISA_IRQ, NULL),
	};
	x86_kernel_started = true;
	kernel_main(info);
}

/* COM1 by polling, for a fault before kernel_main has the console: the firmware (and QEMU) leave
 * it usable, and a fault report nobody sees would look like a hang. */
void x86_early_serial_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			x86_early_serial_write("\r", 1);
		while (!(inb(COM1_PORT + 5) & 0x20)) /* line status: transmitter holding register empty */
			;
		outb(COM1_PORT, (uint8_t)s[i]);
	}
}

void x86_boot_report(void)
{
	const struct acpi_platform *p = &acpi_platform;
	if (multiboot_status < 0)
		log_error("multiboot information unusable (%d): no memory map from the loader", multiboot_status);
	if (!p->found) {
		log_warn("no ACPI RSDP found: assuming one CPU, the LAPIC and IOAPIC at their usual "
			 "addresses, and no ACPI power-off");
	} else {
		log_info("ACPI (RSDP revision %u): %u CPU%s, LAPIC %#lx, %u IOAPIC%s, %u ISA override%s%s",
			 p->revision, boot_info.cpu_count, boot_info.cpu_count == 1 ? "" : "s",
			 (unsigned long)boot_info.irqchip.regs[0], p->ioapic_count, p->ioapic_count == 1 ? "" : "s",
			 p->override_count, p->override_count == 1 ? "" : "s",
			 acpi_status < 0 ? " (no MADT)" : "");
		if (p->cpus_ignored)
			log_warn("ACPI lists %u more CPU%s than Tessera uses (at most %u, APIC ids below 255)",
				 p->cpus_ignored, p->cpus_ignored == 1 ? "" : "s", MAX_CPUS);
		log_info("ACPI power: PM1a_CNT %#x, S5 SLP_TYP %u%s", p->pm1a_control, p->s5_sleep_type_a,
			 p->s5_from_dsdt ? " (DSDT \\_S5)" : " (no \\_S5 in the DSDT: assumed)");
	}
	x86_tsc_report();
}
