/* SPDX-License-Identifier: Apache-2.0 */
/* aarch64 boot: turns what the loader handed over (x0 = device tree) into a struct boot_info
 * and enters the kernel. Also the path for a CPU entered below EL2. */
#include "arch/boot.h"
#include "arch/cpu.h"
#include "arch_impl/psci.h"
#include "arch_impl/sysreg.h"
#include "kernel/console.h"
#include "kernel/percpu.h"

extern char __image_start[], __image_end[];

static struct boot_info boot_info;

void timer_probe_fdt(const void *fdt);

void arch_boot_main(const void *fdt)
{
	uint64_t hwid = read_sysreg(mpidr_el1) & MPIDR_AFFINITY_MASK;
	int err = platform_from_fdt(&boot_info, fdt, hwid);
	psci_init(fdt);
	if (err < 0)
		arch_power_off(); /* no device tree: no console to complain on */
	timer_probe_fdt(fdt);
	boot_info.image_start = (paddr_t)(uintptr_t)__image_start;
	boot_info.image_end = (paddr_t)(uintptr_t)__image_end;
	kernel_main(&boot_info);
}

/* Entered at EL1 (the machine has no virtualization extension, or a firmware kept EL2) or at EL3:
 * nothing of the hypervisor can run. Print why on the console and power off. */
void arch_boot_without_el2(const void *fdt)
{
	uint64_t el = (read_sysreg(CurrentEL) >> 2) & 3;
	psci_init(fdt);
	if (platform_from_fdt(&boot_info, fdt, read_sysreg(mpidr_el1) & MPIDR_AFFINITY_MASK) >= 0 &&
	    console_init(&boot_info.console) >= 0)
		console_printf("Tessera: entered at EL%llu, but a hypervisor needs EL2 (the virtualization "
			       "extension; QEMU: -M virt,virtualization=on). Powering off.\n",
			       (unsigned long long)el);
	/* SYSTEM_OFF returns only if the firmware refused, and below EL2 there is no log to say so
	 * (it reads EL2's registers): the loop stops this CPU then. */
	(void)psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}
