# SPDX-License-Identifier: Apache-2.0
# Flags for the x86_64 test guests (see mk/guests.mk): 64-bit code, no SSE (no FPU setup needed).
GUEST_TARGET := x86_64-none-elf
GUEST_CFLAGS := -mno-red-zone -mgeneral-regs-only -mcmodel=small -mno-sse -static -Wl,--no-pie -Wl,--build-id=none
# hello entered where AxVisor's x86 configs enter their kernel, after the boot stub below.
GUEST_RELINKED := hello-0x200000
# Firmware of our own: firmware/<name>.S linked by firmware/<name>.ld into <name>.bin.
GUEST_FIRMWARE := bios
