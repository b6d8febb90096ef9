# SPDX-License-Identifier: Apache-2.0
# QEMU virt for riscv64 with the Advanced Interrupt Architecture instead of the PLIC
# (-M virt,aia=aplic-imsic,aia-guests=7; scripts/qemu-run.sh PLATFORM=aia): the same hypervisor,
# which finds the APLIC and IMSIC in the tree; only the name in its banner and the build directory
# differ.
ifneq ($(ARCH),riscv64)
$(error PLATFORM=aia is a riscv64 machine)
endif
PLATFORM_NAME := qemu-virt-riscv64-aia
BUILD := build/$(ARCH)-$(PLATFORM)
