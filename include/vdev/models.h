/* Emulated device models and their constructors. Each returns a device ready for the VM's bus,
 * or NULL when memory runs out. */
#ifndef VDEV_MODELS_H
#define VDEV_MODELS_H

#include "vmm/vdev.h"
#include "vmm/config.h"

struct vm;

/* An Arm PL011 UART: the guest's output goes to the VM's tagged console. */
struct vdev *vdev_pl011_create(struct vm *vm, const struct vm_emu_device *config);
/* Reads as zero, ignores writes: a placeholder AxVisor configs use (emu_type 0). */
struct vdev *vdev_dummy_create(struct vm *vm, const struct vm_emu_device *config);

#endif
