# SPDX-License-Identifier: Apache-2.0
# Flags for the aarch64 test guests (see mk/guests.mk).
GUEST_TARGET := aarch64-none-elf
GUEST_CFLAGS := -mgeneral-regs-only
