# SPDX-License-Identifier: Apache-2.0
# Flags for the aarch64 test guests (see mk/guests.mk).
GUEST_TARGET := aarch64-none-elf
GUEST_CFLAGS := -mgeneral-regs-only
# Copies linked at another address, <guest>-<address>.bin: AxVisor's ArceOS configs enter at
# 0x8020_0000 (tests/e2e/configs/axvisor/).
GUEST_RELINKED := hello-0x80200000
# bench_bare.c is bench.c built for bare QEMU: it includes it.
$(GUEST_OUT_DIR)/bench_bare.elf: $(GUEST_SRC_DIR)/bench.c
# spilat_bare.c is spilat.c built for bare QEMU: it includes it.
$(GUEST_OUT_DIR)/spilat_bare.elf: $(GUEST_SRC_DIR)/spilat.c
# The ZCU102's benchmark guests (make bench PLATFORM=zcu102) include bench.c and spilat.c too.
$(GUEST_OUT_DIR)/bench_zcu102.elf $(GUEST_OUT_DIR)/bench_zcu102_bare.elf: $(GUEST_SRC_DIR)/bench.c $(GUEST_SRC_DIR)/gic_guest.h
$(GUEST_OUT_DIR)/spilat_zcu102.elf $(GUEST_OUT_DIR)/spilat_zcu102_bare.elf: $(GUEST_SRC_DIR)/spilat.c $(GUEST_SRC_DIR)/gic_guest.h
$(GUEST_OUT_DIR)/bench_zcu102_bare.elf $(GUEST_OUT_DIR)/spilat_zcu102_bare.elf: $(GUEST_SRC_DIR)/zcu102_bare.h
$(GUEST_OUT_DIR)/bench.elf $(GUEST_OUT_DIR)/bench_bare.elf $(GUEST_OUT_DIR)/spilat.elf $(GUEST_OUT_DIR)/spilat_bare.elf: $(GUEST_SRC_DIR)/gic_guest.h
