/* SPDX-License-Identifier: Apache-2.0 */
/* The reset soak (tests/e2e/test_reset_soak.py): the guest asks its VM for a reset, again and
 * again, `soak.resets=N` times (its command line), and powers off after the last. Its first boot
 * waits `soak.wait=S` seconds first, so that the VMs beside it are up before it starts. The hypervisor
 * counts the boots (the BOOT_COUNT hypercall: RAM is wiped by each reset) and logs its free frames
 * and heap bytes at each; the test checks they stay the same. Each arch's soak.c provides
 * arch_boot_count, arch_reset and includes this file. */
#include "bootargs.c"

static uint64_t arch_boot_count(void);
static void arch_reset(void);
static void arch_wait_seconds(uint64_t seconds);

static uint64_t marker = 0x5a5a; /* in .data: a reset must bring back the image's value */

void guest_main(uint64_t dtb)
{
	uint64_t resets = bootarg_number(dtb, "soak.resets", 10);
	uint64_t boot = arch_boot_count();
	if (marker != 0x5a5a) {
		puts_uart("soak: boot ");
		put_dec(boot);
		puts_uart(" found the previous run's data\n");
		system_off();
	}
	marker = 0;
	if (boot == 1)
		arch_wait_seconds(bootarg_number(dtb, "soak.wait", 0));
	if (boot == 1 || boot % 100 == 0) {
		puts_uart("soak: boot ");
		put_dec(boot);
		putc_uart('\n');
	}
	if (boot <= resets) {
		arch_reset();
		puts_uart("soak: the reset returned\n");
		system_off();
	}
	puts_uart("soak: ");
	put_dec(resets);
	puts_uart(" resets done\n");
	system_off();
}
