/* SPDX-License-Identifier: Apache-2.0 */
/* A virtio-input device for a guest (Virtio 1.2, 5.8) that is a power button: one key, KEY_POWER,
 * and the VM's power button (vmm/power_button.h) when its config gives it one (emu_type 0xE4).
 * Linux's virtio_input driver makes it an input device; a daemon reading its events (busybox's or
 * the ACPI daemon's acpid, systemd-logind) powers the guest off when the key is pressed. */
#ifndef VDEV_VIRTIO_INPUT_H
#define VDEV_VIRTIO_INPUT_H

#include "lib/types.h"

struct vm;
struct virtio_vdev;

/* The device (not yet on a transport); NULL when memory runs out. */
__must_check struct virtio_vdev *virtio_power_button_create(struct vm *vm, const char *name, unsigned irq);
/* Presses it: the press() of struct vm_power_button, `device` the device's virtio_vdev. */
__must_check int virtio_power_button_press(void *device, const char **why);

#endif
