/* SPDX-License-Identifier: Apache-2.0 */
/* Ownership of host MMIO pages and interrupts (src/vmm/host_resources.c): one owner each, the
 * hypervisor's console shareable, pages the unit of MMIO, everything back when a VM goes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "vmm/host_resources.h"

/* The kernel's spinlocks: one thread here. */
unsigned long spin_lock_irqsave(struct spinlock *lock) { (void)lock; return 0; }
void spin_unlock_irqrestore(struct spinlock *lock, unsigned long flags) { (void)lock; (void)flags; }

static void test_one_owner_each(void **state)
{
	(void)state;
	struct host_claim holder;
	assert_int_equal(host_resource_claim(HOST_MMIO, 0x8000000, 0x10000, HOST_OWNER_HYPERVISOR, "the hypervisor",
					     "its interrupt controller", false, NULL), 0);
	assert_int_equal(host_resource_claim(HOST_MMIO, 0x9000000, 0x1000, 1, "VM[1] a", "uart", false, NULL), 0);
	/* Another page of the same VM's, and the same window again: its own. */
	assert_int_equal(host_resource_claim(HOST_MMIO, 0x9000800, 0x10, 1, "VM[1] a", "uart again", false, NULL), 0);
	/* A second VM: refused, with the holder named; a window sharing only a page is the same page. */
	assert_int_equal(host_resource_claim(HOST_MMIO, 0x9000f00, 0x200, 2, "VM[2] b", "rtc", false, &holder), -EBUSY);
	assert_string_equal(holder.owner_name, "VM[1] a");
	assert_string_equal(holder.what, "uart");
	assert_int_equal(host_resource_claim(HOST_MMIO, 0x800f000, 0x1, 2, "VM[2] b", "x", false, &holder), -EBUSY);
	assert_string_equal(holder.owner_name, "the hypervisor");
	/* The next page is free; interrupts are counted apart from MMIO. */
	assert_int_equal(host_resource_claim(HOST_MMIO, 0x9001000, 0x1000, 2, "VM[2] b", "rtc", false, NULL), 0);
	assert_int_equal(host_resource_claim(HOST_IRQ, 33, 1, 1, "VM[1] a", "uart", false, NULL), 0);
	assert_int_equal(host_resource_claim(HOST_IRQ, 33, 1, 2, "VM[2] b", "uart", false, &holder), -EBUSY);
	assert_int_equal(host_resource_claim(HOST_IRQ, 34, 1, 2, "VM[2] b", "rtc", false, NULL), 0);
	/* VM 1 goes: what it held is free for VM 2, the hypervisor's is not. */
	host_resource_release(1);
	assert_int_equal(host_resource_claim(HOST_MMIO, 0x9000000, 0x1000, 2, "VM[2] b", "uart", false, NULL), 0);
	assert_int_equal(host_resource_claim(HOST_IRQ, 33, 1, 2, "VM[2] b", "uart", false, NULL), 0);
	assert_int_equal(host_resource_claim(HOST_MMIO, 0x8000000, 0x1000, 2, "VM[2] b", "gic", false, NULL), -EBUSY);
	host_resource_release(2);
	host_resource_release(HOST_OWNER_HYPERVISOR);
}

static void test_the_console_is_shareable(void **state)
{
	(void)state;
	struct host_claim holder;
	assert_int_equal(host_resource_claim(HOST_MMIO, 0x9000000, 0x1000, HOST_OWNER_HYPERVISOR, "the hypervisor",
					     "its console", true, NULL), 0);
	assert_int_equal(host_resource_claim(HOST_MMIO, 0x9000000, 0x1000, 3, "VM[3] c", "uart", false, &holder),
			 HOST_CLAIM_SHARED);
	assert_string_equal(holder.what, "its console");
	/* Once a VM has it, no other VM may. */
	assert_int_equal(host_resource_claim(HOST_MMIO, 0x9000000, 0x1000, 4, "VM[4] d", "uart", false, &holder), -EBUSY);
	assert_string_equal(holder.owner_name, "VM[3] c");
	host_resource_release(3);
	host_resource_release(HOST_OWNER_HYPERVISOR);
}

static void test_bad_ranges_and_a_full_table(void **state)
{
	(void)state;
	assert_int_equal(host_resource_claim(HOST_MMIO, 0x1000, 0, 1, "VM[1] a", "x", false, NULL), -EINVAL);
	assert_int_equal(host_resource_claim(HOST_MMIO, UINT64_MAX - 0xfff, 0x2000, 1, "VM[1] a", "x", false, NULL), -EINVAL);
	/* The top page of the address space is a page like any other. */
	assert_int_equal(host_resource_claim(HOST_MMIO, UINT64_MAX - 0xfff, 0x1000, 1, "VM[1] a", "top", false, NULL), 0);
	for (unsigned i = 1; i < HOST_CLAIMS_MAX; i++)
		assert_int_equal(host_resource_claim(HOST_IRQ, i, 1, 1, "VM[1] a", "x", false, NULL), 0);
	assert_int_equal(host_resource_claim(HOST_IRQ, 1000, 1, 1, "VM[1] a", "x", false, NULL), -ENOSPC);
	host_resource_release(1);
	assert_int_equal(host_resource_claim(HOST_IRQ, 1000, 1, 1, "VM[1] a", "x", false, NULL), 0);
	host_resource_release(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_owner_each),
		cmocka_unit_test(test_the_console_is_shareable),
		cmocka_unit_test(test_bad_ranges_and_a_full_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
