# SPDX-License-Identifier: Apache-2.0
# Xilinx ZCU102 (ZynqMP: four Cortex-A53, GIC-400, Cadence UARTs, RAM from address 0), and QEMU's
# model of it (-M xlnx-zcu102,virtualization=on; scripts/qemu-run.sh PLATFORM=zcu102). Everything
# else comes from the board's device tree.
ifneq ($(ARCH),aarch64)
$(error PLATFORM=zcu102 is an aarch64 board)
endif
PLATFORM_NAME := xilinx-zcu102
BUILD := build/$(ARCH)-$(PLATFORM)
# A loader honouring the Image header puts it at RAM base 0 + text_offset.
LINKER_DEFINES += -DTEXT_BASE=0x80000
