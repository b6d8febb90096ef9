# SPDX-License-Identifier: Apache-2.0
# Small bare-metal test guests of our own (tests/guests/<arch>/): each <name>.c is linked with the
# arch's start.S and runtime.c into build/guests/<arch>/<name>.bin, a raw image for the VM configs
# next to it (<name>.toml) to build in with VM_CONFIGS.
GUEST_SRC_DIR := tests/guests/$(ARCH)
GUEST_OUT_DIR := build/guests/$(ARCH)
-include $(GUEST_SRC_DIR)/guest.mk
GUEST_NAMES := $(filter-out runtime,$(basename $(notdir $(wildcard $(GUEST_SRC_DIR)/*.c))))
GUEST_BINS := $(addprefix $(GUEST_OUT_DIR)/,$(addsuffix .bin,$(GUEST_NAMES)))
GUEST_COMMON := $(GUEST_SRC_DIR)/start.S $(GUEST_SRC_DIR)/runtime.c tests/guests/common/print.c
# Code several arches' guests include (tests/guests/common/vblk.c): a prerequisite, not compiled alone.
GUEST_INCLUDED := $(filter-out $(GUEST_COMMON),$(wildcard tests/guests/common/*.c))

# <name>-<address>.bin: the guest <name> linked at <address> (GUEST_RELINKED, in the arch's guest.mk;
# its guest.ld takes GUEST_BASE).
GUEST_RELINKED_BINS := $(addprefix $(GUEST_OUT_DIR)/,$(addsuffix .bin,$(GUEST_RELINKED)))
define relinked_rule
$(GUEST_OUT_DIR)/$(1).elf: $(GUEST_SRC_DIR)/$(firstword $(subst -, ,$(1))).c $(GUEST_COMMON) $(GUEST_INCLUDED) $(GUEST_SRC_DIR)/guest.h $(GUEST_SRC_DIR)/guest.ld
	@mkdir -p $$(dir $$@)
	@$$(if $(Q),echo "  GUEST   $$@")
	$(Q)$(CLANG) --target=$(GUEST_TARGET) -std=c11 -ffreestanding -nostdlib -fno-pic -O2 -Wall -Wextra -Werror \
		$(GUEST_CFLAGS) -fuse-ld=lld -Wl,--gc-sections -Wl,--defsym=GUEST_BASE=$(lastword $(subst -, ,$(1))) \
		-T $(GUEST_SRC_DIR)/guest.ld $(GUEST_COMMON) $$< -o $$@
endef
$(foreach g,$(GUEST_RELINKED),$(eval $(call relinked_rule,$(g))))

# <name>.bin from firmware/<name>.S and firmware/<name>.ld (GUEST_FIRMWARE, in the arch's guest.mk):
# boot stubs a config names as its BIOS, which run before the guest's own start.S.
GUEST_FIRMWARE_BINS := $(addprefix $(GUEST_OUT_DIR)/,$(addsuffix .bin,$(GUEST_FIRMWARE)))
$(GUEST_OUT_DIR)/%.elf: $(GUEST_SRC_DIR)/firmware/%.S $(GUEST_SRC_DIR)/firmware/%.ld
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GUEST   $@")
	$(Q)$(CLANG) --target=$(GUEST_TARGET) -ffreestanding -nostdlib -fno-pic $(GUEST_CFLAGS) -fuse-ld=lld \
		-T $(GUEST_SRC_DIR)/firmware/$*.ld $< -o $@

.PHONY: guests
guests: $(GUEST_BINS) $(GUEST_RELINKED_BINS) $(GUEST_FIRMWARE_BINS)

$(GUEST_OUT_DIR)/%.elf: $(GUEST_SRC_DIR)/%.c $(GUEST_COMMON) $(GUEST_INCLUDED) $(GUEST_SRC_DIR)/guest.h $(GUEST_SRC_DIR)/guest.ld
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GUEST   $@")
	$(Q)$(CLANG) --target=$(GUEST_TARGET) -std=c11 -ffreestanding -nostdlib -fno-pic -O2 -Wall -Wextra -Werror \
		$(GUEST_CFLAGS) -fuse-ld=lld -Wl,--gc-sections -T $(GUEST_SRC_DIR)/guest.ld $(GUEST_COMMON) $< -o $@

$(GUEST_OUT_DIR)/%.bin: $(GUEST_OUT_DIR)/%.elf
	$(Q)$(OBJCOPY) -O binary $< $@

# Images named by VM_CONFIGS may be test guests: build those first.
$(BUILTIN_VMS_ASM): | guests
.SECONDARY:

# The generated dependency list names images by absolute path: tie those to the rules above, so an
# edited guest is rebuilt before the configs that embed it are.
$(abspath $(GUEST_OUT_DIR))/%.bin: $(GUEST_OUT_DIR)/%.bin
	@:
