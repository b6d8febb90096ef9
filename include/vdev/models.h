/* SPDX-License-Identifier: Apache-2.0 */
/* Emulated device models and their constructors. Each returns a device ready for the VM's bus,
 * or NULL when memory runs out. */
#ifndef VDEV_MODELS_H
#define VDEV_MODELS_H

#include "vmm/vdev.h"
#include "vmm/config.h"

struct vm;

/* An Arm PL011 UART: the guest's output goes to the VM's tagged console. aarch64 only
 * (src/vdev/objects.mk); elsewhere vm_devices.c reports a console that would need it. */
__must_check struct vdev *vdev_pl011_create(struct vm *vm, const struct vm_emu_device *config);
/* A 16550 UART: MMIO (riscv64, boards) or, on the port-I/O bus, a PC COM port. cfg[0], when given,
 * is the register stride as a shift (reg-shift). */
__must_check struct vdev *vdev_ns16550_create(struct vm *vm, const struct vm_emu_device *config);
/* Reads as zero, ignores writes: a placeholder AxVisor configs use (emu_type 0). */
__must_check struct vdev *vdev_dummy_create(struct vm *vm, const struct vm_emu_device *config);


#endif
