/* SPDX-License-Identifier: Apache-2.0 */
/* The legacy PC devices every x86 VM has on its port-I/O bus: ACPI PM1a control (power-off,
 * q35's PMBASE 0x600 + 4), the reset control register 0xcf9 and the keyboard controller's reset
 * line (0x64), the POST port 0x80, a masked i8259 pair (0x20/0xa0), the CMOS RTC (0x70) and the
 * 8254 PIT (0x40-0x43, with channel 2's gate and output on port 0x61). */
#ifndef VDEV_X86_PC_H
#define VDEV_X86_PC_H

#include "lib/types.h"

struct vm;

#define X86_PM1A_EVENT_PORT 0x600   /* PM1a status (2 bytes) and enable (2 bytes) */
#define X86_PM1A_CONTROL_PORT 0x604
#define X86_PM1_SLP_EN (1u << 13)

__must_check int x86_pc_devices_create(struct vm *vm);
/* x86_power_button.c: the PM1a event block at X86_PM1A_EVENT_PORT, whose fixed power button is
 * the VM's power button (vmm/power_button.h), raising the SCI on ISA IRQ 9. */
__must_check int x86_power_button_create(struct vm *vm);
/* x86_pci.c: configuration mechanism #1 with a host bridge at 00:00.0, and the reset register
 * 0xcf9 inside its window. */
__must_check int x86_pci_create(struct vm *vm);
/* x86_rtc.c: the CMOS RTC at 0x70/0x71, its clock starting at unix_seconds. */
__must_check int x86_rtc_create(struct vm *vm, uint64_t unix_seconds);

/* The GSI the PIT's IRQ 0 arrives on: the MADT's interrupt source override (guest_acpi.c) sends
 * ISA IRQ 0 to IOAPIC pin 2, as on every PC with an IOAPIC. */
#define X86_PIT_GSI 2
/* x86_pit.c: the PIT on ports 0x40-0x43 and 0x61, channel 0 raising X86_PIT_GSI; back to its
 * power-on state when the VM resets, freed with the VM's devices. */
__must_check int x86_pit_create(struct vm *vm);

#endif
