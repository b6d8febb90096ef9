# SPDX-License-Identifier: Apache-2.0
# Virtio over MMIO (device-tree machines) or PCI (q35); the arch chooses with CONFIG_VIRTIO_MMIO or
# CONFIG_VIRTIO_PCI in mk/arch-<arch>.mk (one of them: each defines virtio_find_device).
obj-$(CONFIG_VIRTIO_MMIO) += virtio_mmio.o virtio.o virtqueue.o virtio_blk.o
obj-$(CONFIG_VIRTIO_PCI) += virtio_pci.o virtio.o virtqueue.o virtio_blk.o
