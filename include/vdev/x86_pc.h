/* The legacy PC devices every x86 VM has on its port-I/O bus: ACPI PM1a control (power-off,
 * q35's PMBASE 0x600 + 4), the reset control register 0xcf9 and the keyboard controller's reset
 * line (0x64), the POST port 0x80, and a masked i8259 pair (0x20/0xa0). */
#ifndef VDEV_X86_PC_H
#define VDEV_X86_PC_H

#include "lib/types.h"

struct vm;

#define X86_PM1A_EVENT_PORT 0x600   /* PM1a status (2 bytes) and enable (2 bytes) */
#define X86_PM1A_CONTROL_PORT 0x604
#define X86_PM1_SLP_EN (1u << 13)

int x86_pc_devices_create(struct vm *vm);
/* x86_pci.c: configuration mechanism #1 with a host bridge at 00:00.0, and the reset register
 * 0xcf9 inside its window. */
int x86_pci_create(struct vm *vm);
/* x86_rtc.c: the CMOS RTC at 0x70/0x71, its clock starting at unix_seconds. */
int x86_rtc_create(struct vm *vm, uint64_t unix_seconds);

#endif
