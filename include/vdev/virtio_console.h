/* SPDX-License-Identifier: Apache-2.0 */
/* A virtio console for a guest (Virtio 1.2, 5.3): one port, no multiport (hvc0 in Linux). What the
 * guest writes goes to the VM's tagged console (vm_console_putc), as a UART's output does; what is
 * typed for the VM comes in through virtio_console_input, which the VMM names as the VM's console
 * input when this device is to take it (vm_devices.c decides between it and a UART). */
#ifndef VDEV_VIRTIO_CONSOLE_H
#define VDEV_VIRTIO_CONSOLE_H

#include "lib/types.h"

struct vm;
struct virtio_vdev;

#define VIRTIO_CONSOLE_INPUT_HELD 64 /* typed bytes held while the driver has no receive buffer */

/* The device (not yet on a transport): its virtio_vdev for virtio_mmio_create or the PCI transport.
 * NULL when memory runs out. */
__must_check struct virtio_vdev *virtio_console_create(struct vm *vm, const char *name, unsigned irq);

/* One typed character for the guest; `device` is the console's virtio_vdev (the form
 * vm_set_console_input takes). Any context, the hypervisor's console interrupt included: it takes
 * the device's lock with interrupts masked. The character goes into a receive buffer at once if
 * the driver has posted one, else it is held (up to VIRTIO_CONSOLE_INPUT_HELD, then dropped, as a
 * UART's full FIFO drops) until the driver posts one and notifies. */
void virtio_console_input(void *device, char c);

#endif
