/* SPDX-License-Identifier: Apache-2.0 */
/* The share guest's body (bench/vms16.sh, issue 19): many VMs start together and each, CPU-bound,
 * counts what it gets of a CPU. Included by tests/guests/<arch>/share.c, which defines
 * share_counter() (a counter every VM reads alike: the host's, as the guests' counters have no
 * offset until a suspend) and share_frequency() (its ticks per second), and vm_id().
 * It prints the counter at its first instruction, spins until share.start_ms of that counter (so
 * that every VM is running when the count starts), counts loop iterations for share.window_ms,
 * prints them and powers off:
 *   share VM: first instruction at T us
 *   share VM: N iterations in W ms */
#include "bootargs.c"

static void share_say(uint64_t id)
{
	puts_uart("share ");
	put_dec(id);
	puts_uart(": ");
}

static void share_run(uint64_t dtb)
{
	uint64_t first = share_counter();
	uint64_t hz = share_frequency();
	uint64_t id = vm_id();
	uint64_t start_ms = bootarg_number(dtb, "share.start_ms", 3000);
	uint64_t window_ms = bootarg_number(dtb, "share.window_ms", 2000);
	share_say(id);
	puts_uart("first instruction at ");
	put_dec(first / (hz / 1000000));
	puts_uart(" us\n");
	uint64_t start = start_ms * (hz / 1000), end = start + window_ms * (hz / 1000);
	while (share_counter() < start)
		;
	uint64_t n = 0;
	while (share_counter() < end)
		n++;
	share_say(id);
	put_dec(n);
	puts_uart(" iterations in ");
	put_dec(window_ms);
	puts_uart(" ms\n");
	system_off();
}
