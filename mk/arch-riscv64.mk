# SPDX-License-Identifier: Apache-2.0
# riscv64 in HS-mode under OpenSBI on QEMU virt and device-tree boards.
TARGET_TRIPLE := riscv64-unknown-elf
# clang-14 takes Zicsr and Zifencei as part of 'i' and rejects them by name.
# No F/D: the hypervisor never touches FP state, which stays the guests'.
ARCH_CFLAGS := -march=rv64imac -mabi=lp64 -mcmodel=medany -mno-relax
ARCH_LDFLAGS := --no-relax
PLATFORM_NAME ?= qemu-virt-riscv64
IMAGE_NAME := tessera.bin
# OpenSBI's fw_dynamic jumps to the raw image at 0x80200000 with a0 = hart id and a1 = the device tree.
IMAGE_COMMAND = $(OBJCOPY) -O binary $< $@
CONFIG_NS16550_MMIO := y
CONFIG_PLIC := y
CONFIG_AIA := y
CONFIG_FDT_PLATFORM := y
CONFIG_VIRTIO_MMIO := y
# The guest `make run` boots when VM_CONFIGS is not given.
DEFAULT_VM_CONFIGS := configs/vms/demo-riscv64.toml
