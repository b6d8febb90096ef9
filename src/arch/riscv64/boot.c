/* SPDX-License-Identifier: Apache-2.0 */
/* The boot hart's C entry: entry.S calls riscv_boot_main(hart id, device tree) on the boot stack
 * with BSS cleared, stvec set and tp = sscratch = percpu_of(0). It turns the device tree into a
 * struct boot_info and hands over to kernel_main(). Until kernel_main sets the console up, the
 * only way to say anything is the SBI legacy console. */
#include "arch/boot.h"
#include "arch_impl/riscv.h"
#include "arch_impl/sbi.h"
#include "lib/fdt.h"

#define FDT_MAX_SIZE MiB(2) /* platform_from_fdt's limit too */

extern char __image_start[], __image_end[];

static struct boot_info boot_info;

const void *riscv_boot_fdt(void)
{
	return boot_info.fdt;
}

__noreturn void riscv_boot_main(unsigned long hartid, const void *fdt)
{
	sbi_init();
	if (!fdt || ((uintptr_t)fdt & 7) || fdt_check(fdt, FDT_MAX_SIZE) != 0)
		riscv_early_fatal("tessera: a1 does not point at a valid device tree; powering off\n");
	if (platform_from_fdt(&boot_info, fdt, hartid) != 0)
		riscv_early_fatal("tessera: the device tree does not describe memory, CPUs and a "
				  "console; powering off\n");
	boot_info.image_start = (paddr_t)(uintptr_t)__image_start;
	boot_info.image_end = (paddr_t)(uintptr_t)__image_end;
	riscv_features_init(fdt, hartid);
	riscv_timer_init(fdt);
	kernel_main(&boot_info);
}
