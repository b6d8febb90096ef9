/* SPDX-License-Identifier: Apache-2.0 */
/* virtio-blk checks (tests/guests/common/vblk.c) on the virtio-pci functions vblk.toml gives: a
 * file on the hypervisor's disk and a partition of a second disk, both writable, and a read-only
 * partition, found as a driver finds them (virtio_pci.h). Then the first function's MSI-X (PCI 3.0,
 * 6.8.2; Virtio 1.2, 4.1.5.1.2): its queue's completions as messages to this vCPU's local APIC,
 * held in the pending bits while their entry or the whole function is masked and sent when
 * unmasked, a message to an address no local APIC answers dropped, vectors past the table and
 * after a reset of the device reading NO_VECTOR. */
#include "guest.h"

#define RAM_END 0x1000000ull

#include "../common/vblk.c"
#include "virtio_pci.h"

#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define CONFIG_VECTOR 0x50
#define QUEUE_VECTOR 0x51
#define NO_VECTOR 0xffffu
#define COMMON_MSIX_CONFIG 0x10
#define COMMON_QUEUE_MSIX_VECTOR 0x1a
#define MSIX_ENABLE (1u << 15)
#define MSIX_FUNCTION_MASK (1u << 14)

static volatile unsigned taken[2]; /* config, queue */

void guest_trap(uint64_t vector, uint64_t error_code, struct trap_frame *frame)
{
	if (vector != CONFIG_VECTOR && vector != QUEUE_VECTOR)
		report_unexpected_trap(vector, error_code, frame);
	taken[vector - CONFIG_VECTOR]++;
	lapic_write(LAPIC_EOI, 0);
}

static void pci_write16(unsigned slot, unsigned reg, uint16_t value)
{
	outl(0xcf8, 0x80000000u | slot << 11 | (reg & 0xfc));
	outw((uint16_t)(0xcfc + (reg & 2)), value);
}

struct msix {
	unsigned slot, cap;
	volatile uint32_t *table, *pending;
};

/* The first virtio block function's MSI-X capability (id 0x11), or 0 when it has none. */
static int find_msix(struct msix *m)
{
	for (unsigned slot = 0; slot < 32; slot++) {
		if (pci_read(slot, 0) != (0x1042u << 16 | 0x1af4u))
			continue;
		uint64_t bar = (pci_read(slot, 0x10) & ~0xfull) | (uint64_t)pci_read(slot, 0x14) << 32;
		unsigned at = pci_read(slot, 0x34) & 0xfc;
		for (int guard = 0; at && guard < 48; guard++) {
			uint32_t head = pci_read(slot, at);
			if ((head & 0xff) == 0x11) {
				*m = (struct msix){ slot, at, (volatile uint32_t *)(uintptr_t)(bar + (pci_read(slot, at + 4) & ~7u)),
						    (volatile uint32_t *)(uintptr_t)(bar + (pci_read(slot, at + 8) & ~7u)) };
				return (head >> 16 & 0x7ff) + 1 >= 2; /* a config entry and the queue's */
			}
			at = (head >> 8) & 0xfc;
		}
		return 0;
	}
	return 0;
}

static void set_entry(const struct msix *m, unsigned entry, uint32_t address, uint32_t data, uint32_t masked)
{
	m->table[entry * 4] = address;
	m->table[entry * 4 + 1] = 0;
	m->table[entry * 4 + 2] = data;
	m->table[entry * 4 + 3] = masked;
}

/* One read of sector 0 with interrupts open; how many queue messages came meanwhile. */
static unsigned read_with_interrupts(const struct vblk_dev *d)
{
	unsigned before = taken[1];
	__asm__ volatile("sti" ::: "memory");
	int ok = request(d, T_IN, 0, (uintptr_t)data, 512) == 0;
	__asm__ volatile("nop; cli" ::: "memory"); /* sti's shadow ends: a message sent at the exit is taken */
	return ok ? taken[1] - before : 1000;
}

static void run_msix_checks(const struct vblk_dev *d)
{
	passed = failed = 0;
	struct msix m;
	check("MSI-X: the capability, with an entry for the configuration and one for the queue", find_msix(&m));
	if (failed)
		return;
	lapic_write(LAPIC_SVR, 0x1ff);
	check("MSI-X: the device is set up again", init(d, QSIZE));
	volatile uint16_t *config_vector = (volatile uint16_t *)(d->common + COMMON_MSIX_CONFIG);
	volatile uint16_t *queue_vector = (volatile uint16_t *)(d->common + COMMON_QUEUE_MSIX_VECTOR);
	check("MSI-X: no vectors mapped after the device's reset", *config_vector == NO_VECTOR && *queue_vector == NO_VECTOR);
	set_entry(&m, 0, 0xfee00000u, CONFIG_VECTOR, 0);
	set_entry(&m, 1, 0xfee00000u, QUEUE_VECTOR, 0); /* APIC 0, physical; fixed, edge */
	pci_write16(m.slot, m.cap + 2, MSIX_ENABLE);
	*config_vector = 0;
	*queue_vector = 7; /* past the table: not taken */
	check("MSI-X: a vector past the table reads NO_VECTOR", *queue_vector == NO_VECTOR);
	*queue_vector = 1;
	check("MSI-X: the vectors read back", *config_vector == 0 && *queue_vector == 1);
	check("MSI-X: a completion is one message to the queue's vector", read_with_interrupts(d) == 1);
	check("MSI-X: and no configuration message", taken[0] == 0);

	m.table[1 * 4 + 3] = 1; /* the queue's entry masked */
	check("MSI-X: a masked entry's message is held", read_with_interrupts(d) == 0 && (*m.pending & 2));
	unsigned before = taken[1];
	__asm__ volatile("sti" ::: "memory");
	m.table[1 * 4 + 3] = 0;
	__asm__ volatile("nop; cli" ::: "memory");
	check("MSI-X: and sent when it is unmasked", taken[1] == before + 1 && !(*m.pending & 2));

	pci_write16(m.slot, m.cap + 2, MSIX_ENABLE | MSIX_FUNCTION_MASK);
	check("MSI-X: the function masked holds it too", read_with_interrupts(d) == 0 && (*m.pending & 2));
	before = taken[1];
	__asm__ volatile("sti" ::: "memory");
	pci_write16(m.slot, m.cap + 2, MSIX_ENABLE);
	__asm__ volatile("nop; cli" ::: "memory");
	check("MSI-X: and sends it when unmasked", taken[1] == before + 1 && !(*m.pending & 2));

	set_entry(&m, 1, 0x1000u, QUEUE_VECTOR, 0); /* RAM, not a local APIC */
	check("MSI-X: a message to an address no APIC answers is dropped", read_with_interrupts(d) == 0 && !(*m.pending & 2));
	set_entry(&m, 1, 0xfee00000u, QUEUE_VECTOR, 0);
	check("MSI-X: the entry set right again works", read_with_interrupts(d) == 1);

	pci_write16(m.slot, m.cap + 2, 0);
	check("MSI-X: off, the queue's vector stays mapped", *queue_vector == 1);
	check("MSI-X: off, no message", read_with_interrupts(d) == 0);
	check("MSI-X: the device's reset unmaps the vectors", init(d, QSIZE) && *config_vector == NO_VECTOR &&
	      *queue_vector == NO_VECTOR);
	puts_uart("vblk guest: MSI-X: ");
	put_dec(passed);
	puts_uart(" checks passed, ");
	put_dec(failed);
	puts_uart(" failed\n");
}

void guest_main(uint64_t arg)
{
	(void)arg;
	struct vblk_dev devices[3];
	unsigned count = find_virtio_blk(devices, 3);
	puts_uart("vblk guest: ");
	put_dec(count);
	puts_uart(" virtio-pci block functions found\n");
	run_vblk_checks(devices, count, 2);
	if (count)
		run_msix_checks(&devices[0]);
	system_off();
}
