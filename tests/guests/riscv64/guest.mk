# SPDX-License-Identifier: Apache-2.0
# Flags for the riscv64 test guests (see mk/guests.mk): VS-mode, no FP, linked at 0x80200000.
GUEST_TARGET := riscv64-unknown-elf
GUEST_CFLAGS := -march=rv64imac -mabi=lp64 -mcmodel=medany -mno-relax
