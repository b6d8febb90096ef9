/* SPDX-License-Identifier: Apache-2.0 */
/* The virtio-mmio transport (Virtio 1.2, 4.2): puts a virtio device on a VM's MMIO bus. */
#ifndef VDEV_VIRTIO_MMIO_H
#define VDEV_VIRTIO_MMIO_H

#include "vdev/virtio.h"
#include "vmm/vdev.h"

#define VIRTIO_MMIO_WINDOW 0x200 /* registers and configuration space (QEMU virt's stride) */

/* A bus device for v at [base, base + size); destroying it destroys v. NULL when memory runs out. */
__must_check struct vdev *virtio_mmio_create(struct virtio_vdev *v, uint64_t base, uint64_t size);

#endif
