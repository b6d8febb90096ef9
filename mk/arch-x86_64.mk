# SPDX-License-Identifier: Apache-2.0
# x86_64 in long mode on QEMU q35 with an AMD CPU (SVM + NPT).
TARGET_TRIPLE := x86_64-none-elf
# Small code model: the image is linked at 2 MiB and identity mapped, so every symbol is below 2 GiB.
# No red zone: interrupts arrive on the running stack.
ARCH_CFLAGS := -mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mgeneral-regs-only -mcmodel=small
ARCH_LDFLAGS := -z max-page-size=4096
PLATFORM_NAME ?= qemu-q35-x86_64
IMAGE_NAME := tessera.elf32
# QEMU's multiboot loader refuses ELF64: the 64-bit ELF is repackaged as elf32-i386; its entry is the
# 32-bit multiboot entry, which switches to long mode itself.
IMAGE_COMMAND = $(OBJCOPY) -O elf32-i386 $< $@
CONFIG_NS16550_PIO := y
CONFIG_LAPIC := y
CONFIG_IOAPIC := y
CONFIG_VDEV_X86 := y
DEFAULT_VM_CONFIGS := configs/vms/demo-x86_64.toml
CONFIG_VIRTIO_PCI := y
