/* The boot hart's C entry: entry.S calls riscv_boot_main(hart id, device tree) on the boot stack
 * with BSS cleared, stvec set and tp = sscratch = percpu_of(0). It turns the device tree into a
 * struct boot_info and hands over to kernel_main(). Until kernel_main sets the console up, the
 * only way to say anything is the SBI legacy console. */
#include "arch/boot.h"
#include "arch_impl/riscv.h"
#include "arch_impl/sbi.h"
#include "kernel/percpu.h"
#include "lib/fdt.h"

#define FDT_MAX_SIZE MiB(2) /* a larger blob is taken for garbage */

extern char __image_start[], __image_end[];

static struct boot_info boot_info;

const void *riscv_boot_fdt(void)
{
	return boot_info.fdt;
}

static bool range_is_reserved(const struct boot_info *info, paddr_t base, uint64_t size)
{
	for (unsigned i = 0; i < info->reserved_count; i++) {
		if (info->reserved[i].base <= base &&
		    base + size <= info->reserved[i].base + info->reserved[i].size)
			return true;
	}
	return false;
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

	/* The blob stays in use after boot (drivers read it), so keep the allocator off it. */
	paddr_t fdt_base = (paddr_t)(uintptr_t)fdt;
	uint64_t fdt_size = ALIGN_UP(fdt_total_size(fdt), PAGE_SIZE);
	if (!range_is_reserved(&boot_info, fdt_base, fdt_size))
		platform_add_reserved(&boot_info, fdt_base, fdt_size, "device tree");

	/* The PLIC driver and IPIs find each CPU's hart id here. */
	for (unsigned i = 0; i < boot_info.cpu_count && i < MAX_CPUS; i++)
		percpu_of(i)->hwid = boot_info.cpu_hwids[i];

	riscv_features_init(fdt, hartid);
	riscv_timer_init(fdt);
	kernel_main(&boot_info);
}
