# SPDX-License-Identifier: Apache-2.0
# aarch64 at EL2 on QEMU virt (GICv3 by default, GICv2 with GIC=2 at run time) and device-tree boards.
TARGET_TRIPLE := aarch64-none-elf
ARCH_CFLAGS := -mgeneral-regs-only -mcmodel=small
ARCH_LDFLAGS :=
PLATFORM_NAME ?= qemu-virt-aarch64
IMAGE_NAME := tessera.bin
# A raw image with the Linux arm64 header: loaders (QEMU, U-Boot's booti) then enter at EL2 with
# x0 = the device tree, and secondaries stay off until PSCI CPU_ON.
IMAGE_COMMAND = $(OBJCOPY) -O binary $< $@
CONFIG_PL011 := y
CONFIG_CADENCE_UART := y
CONFIG_NS16550_MMIO := y
CONFIG_VDEV_PL011 := y

CONFIG_GICV2 := y
CONFIG_GICV3 := y
CONFIG_FDT_PLATFORM := y
# The guest `make run` boots when VM_CONFIGS is not given.
DEFAULT_VM_CONFIGS := configs/vms/demo-aarch64.toml
CONFIG_VIRTIO_MMIO := y
