# SPDX-License-Identifier: Apache-2.0
# Virtio devices for guests: the split-ring walker, what every device has, the virtio-mmio
# transport (every arch can map one; aarch64 and riscv64 guests find it in their device tree) and
# the block, console, network and input (power button) devices.
obj-y += vring.o virtio_vdev.o virtio_mmio.o virtio_blk.o virtio_console.o virtio_net.o virtio_input.o
# virtio-pci where the VM has a PCI bus (x86_64's, reached through ports 0xcf8/0xcfc).
obj-$(CONFIG_VDEV_X86) += virtio_pci.o
