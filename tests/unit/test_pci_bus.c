/* SPDX-License-Identifier: Apache-2.0 */
/* A VM's PCI bus 0 (src/vmm/pci_bus.c): slots, absent functions, the command register, the
 * interrupt line, read-only identity, and the sizing protocol of a 64-bit memory BAR that stays
 * where the hypervisor put it (PCI 3.0, 6.2.5.1), and an MSI-X capability's Message Control, whose
 * enable and function mask bits alone are writable (6.8.2.3), each write told to the device. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/errno.h"
#include "vmm/pci_bus.h"

static void test_config_space(void **state)
{
	(void)state;
	struct pci_bus bus = { 0 };
	struct pci_function bridge = { 0 }, dev = { 0 };
	bridge.config[PCI_VENDOR_ID] = 0x36;
	bridge.config[PCI_VENDOR_ID + 1] = 0x1b;
	assert_int_equal(pci_bus_add(&bus, &bridge, 0), 0);
	assert_int_equal(pci_bus_add(&bus, &dev, 1), 1);
	assert_int_equal(pci_config_read(&bus, 0, PCI_VENDOR_ID, 2), 0x1b36);
	assert_int_equal(pci_config_read(&bus, 5, PCI_VENDOR_ID, 4), 0xffffffffu); /* absent */
	assert_int_equal(pci_config_read(&bus, 5, PCI_VENDOR_ID, 2), 0xffff);
	assert_int_equal(pci_config_read(&bus, 40, 0, 4), 0xffffffffu);
	pci_config_write(&bus, 0, PCI_VENDOR_ID, 2, 0x1234); /* read-only */
	assert_int_equal(pci_config_read(&bus, 0, PCI_VENDOR_ID, 2), 0x1b36);
	pci_config_write(&bus, 1, PCI_COMMAND, 2, 0xffff);
	assert_int_equal(pci_config_read(&bus, 1, PCI_COMMAND, 2), PCI_COMMAND_WRITABLE);
	pci_config_write(&bus, 1, PCI_INTERRUPT_LINE, 1, 11);
	assert_int_equal(pci_config_read(&bus, 1, PCI_INTERRUPT_LINE, 1), 11);
	assert_int_equal(pci_config_read(&bus, 1, 254, 4), 0xffffffffu); /* past the end */

	pci_function_set_bar64(&dev, 0, 0xfebf0000ull, 0x4000);
	assert_int_equal(pci_config_read(&bus, 1, PCI_BAR0, 4), 0xfebf0000u | PCI_BAR_MEMORY_64);
	assert_int_equal(pci_config_read(&bus, 1, PCI_BAR0 + 4, 4), 0);
	pci_config_write(&bus, 1, PCI_BAR0, 4, 0xffffffffu);
	assert_int_equal(pci_config_read(&bus, 1, PCI_BAR0, 4), 0xffffc000u | PCI_BAR_MEMORY_64);
	pci_config_write(&bus, 1, PCI_BAR0 + 4, 4, 0xffffffffu);
	assert_int_equal(pci_config_read(&bus, 1, PCI_BAR0 + 4, 4), 0xffffffffu);
	pci_config_write(&bus, 1, PCI_BAR0, 4, 0xfebf0000u);
	pci_config_write(&bus, 1, PCI_BAR0 + 4, 4, 0);
	assert_int_equal(pci_config_read(&bus, 1, PCI_BAR0, 4), 0xfebf0000u | PCI_BAR_MEMORY_64);
	pci_config_write(&bus, 1, PCI_BAR0, 4, 0x80000000u); /* a move is not taken */
	assert_int_equal(pci_config_read(&bus, 1, PCI_BAR0, 4), 0xfebf0000u | PCI_BAR_MEMORY_64);
	assert_int_equal(pci_config_read(&bus, 1, PCI_BAR0 + 8, 4), 0); /* no BAR 2 */

	pci_bus_remove(&bus, &dev);
	assert_int_equal(pci_config_read(&bus, 1, PCI_VENDOR_ID, 2), 0xffff);
	for (unsigned i = 1; i < PCI_SLOTS; i++)
		assert_int_equal(pci_bus_add(&bus, &dev, 1), (int)i);
	assert_int_equal(pci_bus_add(&bus, &dev, 1), -ENOSPC);
}

static unsigned control_writes;
static void count_control_write(struct pci_function *fn)
{
	(void)fn;
	control_writes++;
}

static void test_msix_message_control(void **state)
{
	(void)state;
	struct pci_bus bus = { 0 };
	struct pci_function dev = { 0 };
	const unsigned cap = 0x84;
	dev.config[cap] = PCI_CAP_MSIX;
	dev.config[cap + PCI_MSIX_CONTROL] = 2; /* table size 3 */
	dev.config[cap + 4] = 0x00;
	dev.config[cap + 5] = 0x10; /* table at BAR 0 + 0x1000 */
	dev.msix_cap = cap;
	dev.msix_control_written = count_control_write;
	assert_int_equal(pci_bus_add(&bus, &dev, 1), 1);
	/* A word write as Linux's: the table size stays, the two bits are taken. */
	pci_config_write(&bus, 1, cap + PCI_MSIX_CONTROL, 2, 0xffff);
	assert_int_equal(pci_config_read(&bus, 1, cap + PCI_MSIX_CONTROL, 2),
			 PCI_MSIX_ENABLE | PCI_MSIX_FUNCTION_MASK | 2);
	assert_int_equal(control_writes, 1);
	/* A dword write over the capability's header: id and next stay, the mask bit goes. */
	pci_config_write(&bus, 1, cap, 4, PCI_MSIX_ENABLE << 16 | 0x7777);
	assert_int_equal(pci_config_read(&bus, 1, cap, 4), (PCI_MSIX_ENABLE | 2) << 16 | PCI_CAP_MSIX);
	assert_int_equal(control_writes, 2);
	/* The high byte alone. */
	pci_config_write(&bus, 1, cap + PCI_MSIX_CONTROL + 1, 1, 0);
	assert_int_equal(pci_config_read(&bus, 1, cap + PCI_MSIX_CONTROL, 2), 2);
	assert_int_equal(control_writes, 3);
	/* The table's offset is read-only, and no write there is told to the device. */
	pci_config_write(&bus, 1, cap + 4, 4, 0);
	assert_int_equal(pci_config_read(&bus, 1, cap + 4, 4), 0x1000);
	assert_int_equal(control_writes, 3);
	/* A function without the capability: the same byte is read-only. */
	struct pci_function plain = { 0 };
	assert_int_equal(pci_bus_add(&bus, &plain, 2), 2);
	pci_config_write(&bus, 2, cap + PCI_MSIX_CONTROL, 2, 0xffff);
	assert_int_equal(pci_config_read(&bus, 2, cap + PCI_MSIX_CONTROL, 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_config_space), cmocka_unit_test(test_msix_message_control) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
