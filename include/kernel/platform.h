/* SPDX-License-Identifier: Apache-2.0 */
/* What the machine is made of, as found at boot from the device tree (aarch64, riscv64) or from
 * multiboot and ACPI (x86_64). Filled by the arch's boot code, read by the kernel. */
#ifndef KERNEL_PLATFORM_H
#define KERNEL_PLATFORM_H

#include "lib/types.h"

#define MAX_CPUS 16
#define MAX_MEM_REGIONS 32

struct mem_region {
	paddr_t base;
	uint64_t size;
	const char *name; /* for the boot log: "RAM", "reserved", ".text", ... */
};

enum uart_kind { UART_NONE, UART_PL011, UART_NS16550_MMIO, UART_NS16550_PIO, UART_CADENCE };

struct uart_desc {
	enum uart_kind kind;
	paddr_t base;        /* MMIO address, or the I/O port for UART_NS16550_PIO */
	unsigned reg_shift;  /* register stride is 1 << reg_shift */
	unsigned reg_width;  /* access width in bytes: 1 or 4 */
	unsigned irq;
};

struct irqchip_desc {
	const char *compatible;    /* selects the driver: "arm,gic-v3", "arm,cortex-a15-gic",
	                            * "riscv,plic0", "x86,lapic-ioapic" */
	paddr_t regs[4];           /* in the order of the binding's "reg" */
	uint64_t sizes[4];
	unsigned reg_count;
	int fdt_node;              /* the controller's node in boot_info.fdt, or -1 */
};

struct boot_info {
	const void *fdt;                        /* the device tree, or NULL on x86_64 */
	struct mem_region ram[MAX_MEM_REGIONS];  /* usable RAM as the firmware reports it */
	unsigned ram_count;
	struct mem_region reserved[MAX_MEM_REGIONS]; /* inside RAM but not ours: firmware, FDT, modules */
	unsigned reserved_count;
	unsigned reserved_lost;                 /* reserved regions that did not fit (mm_init refuses them) */
	paddr_t image_start, image_end;          /* the hypervisor itself */
	uint64_t cpu_hwids[MAX_CPUS];           /* MPIDR affinity, hart id or APIC id per logical CPU */
	unsigned cpu_count;
	unsigned boot_cpu;                      /* logical index of the CPU that booted; always 0 */
	struct uart_desc console;
	struct irqchip_desc irqchip;
	const char *platform_name;              /* DT model, or a fixed name */
	const char *cmdline;                    /* the hypervisor's own command line, if any */
};

/* The description the machine booted with (set by kernel_main). */
extern const struct boot_info *platform_boot_info;

/* Fills memory, CPUs, console and irqchip from a flattened device tree. boot_hwid is the
 * hardware id of the CPU running this, which becomes logical CPU 0. Returns 0 or -EINVAL. */
__must_check int platform_from_fdt(struct boot_info *info, const void *fdt, uint64_t boot_hwid);

/* The node /chosen's stdout-path (or linux,stdout-path) names: a path or an alias, optionally
 * followed by ":<options>"; a negative error when there is none. */
int platform_stdout_node(const void *fdt);

/* Adds a region to boot_info.reserved. One that does not fit is counted in reserved_lost, and mm_init
 * stops the boot over it, naming the count: the boot code that finds regions has no console yet. */
void platform_add_reserved(struct boot_info *info, paddr_t base, uint64_t size, const char *name);

#endif
