# SPDX-License-Identifier: Apache-2.0
# Tessera: a unified type-1 hypervisor in C for aarch64, riscv64 and x86_64.
#   make [ARCH=aarch64|riscv64|x86_64] [LOG=info] [VM_CONFIGS=a.toml:b.toml]   build build/<arch>/
#   make run [SMP=4] [MEM=1G] [QEMU_ARGS=...] [DISK=disk.img] [CMDLINE=...]      boot it in QEMU
#   make ARCH=aarch64 PLATFORM=zcu102 [run]       the Xilinx ZCU102 (mk/platform-zcu102.mk)
#   make disk_img GUESTS=a.toml:b.bin                                            a FAT32 disk.img
#   make test                                             static analysis + unit + fuzz + e2e tests
# Every target that needs a tool installs it first (scripts/ensure-deps.sh).

VALID_ARCHES := aarch64 riscv64 x86_64
VALID_LOGS := error warn info debug trace
.DEFAULT_GOAL := all
ARCH ?= aarch64
LOG ?= info
SMP ?= 4
MEM ?= 1G
PLATFORM ?=
QEMU_ARGS ?=
# The hypervisor's command line: CMDLINE=tessera.shell=off powers off when the last VM stops.
CMDLINE ?=

ifeq ($(filter $(ARCH),$(VALID_ARCHES)),)
$(error unknown ARCH '$(ARCH)'; valid: $(VALID_ARCHES))
endif
ifeq ($(filter $(LOG),$(VALID_LOGS)),)
$(error unknown LOG '$(LOG)'; valid: $(VALID_LOGS))
endif

BUILD := build/$(ARCH)
# Where the objects go: BUILD, unless OBJ_BUILD says otherwise. Images that differ only in their VM
# configs (the e2e tests build dozens) share one object directory per arch and log level, and each
# image's BUILD holds only its generated VM tables, its linker script and the link.
OBJ_BUILD ?= $(BUILD)
HOST_BUILD := build/host
CLANG := clang-14
LLD := ld.lld-14
OBJCOPY := llvm-objcopy-14
SIZE := llvm-size-14
# Size first, speed where a guest waits: everything is optimised for size and linked with LTO, except
# the objects each objects.mk lists as hot-y (the exit path, interrupt delivery), built at -Os: under
# LTO, -O2 there inlines the cold code they call and grows the image by a tenth for no measured gain.
OPTIMIZE ?= -Oz -flto
HOT_OPTIMIZE ?= -Os

include mk/arch-$(ARCH).mk
# make PLATFORM=<board>: a machine other than the arch's QEMU virt/q35 (mk/platform-<board>.mk: its
# link address, name and QEMU machine), built in build/<arch>-<board>/.
ifneq ($(PLATFORM),)
ifeq ($(wildcard mk/platform-$(PLATFORM).mk),)
$(error unknown PLATFORM '$(PLATFORM)'; valid: $(patsubst mk/platform-%.mk,%,$(wildcard mk/platform-*.mk)))
endif
include mk/platform-$(PLATFORM).mk
endif
# make UBSAN=1: every object checked for undefined behaviour, with a runtime in the hypervisor that
# reports the first and stops (src/kernel/ubsan.c); `make test` runs one arch's guests against it.
UBSAN ?=
ifeq ($(UBSAN),1)
UBSAN_CFLAGS := -fsanitize=undefined -fno-sanitize-recover=undefined
CONFIG_UBSAN := y
endif
# With no VM_CONFIGS, an arch that runs guests builds in its demo guest (mk/arch-<arch>.mk).
VM_CONFIGS ?= $(DEFAULT_VM_CONFIGS)

CFLAGS := --target=$(TARGET_TRIPLE) -std=c11 -ffreestanding -fno-builtin -nostdinc \
	-isystem $(shell $(CLANG) -print-resource-dir 2>/dev/null)/include -Iinclude -Isrc/arch/$(ARCH)/include -Isrc/virt/$(ARCH)/include \
	-Wall -Wextra -Werror -Wno-unused-parameter $(OPTIMIZE) -g -fno-common -fno-stack-protector \
	-fno-pic -fno-pie -ffunction-sections -fdata-sections \
	-DLOG_LEVEL_BUILD=LOG_LEVEL_$(shell echo $(LOG) | tr a-z A-Z) -DARCH_NAME='"$(ARCH)"' \
	-DPLATFORM_NAME='"$(PLATFORM_NAME)"' $(ARCH_CFLAGS) $(UBSAN_CFLAGS)
ASFLAGS := $(CFLAGS) -D__ASSEMBLY__
LDFLAGS := -nostdlib -static --gc-sections --icf=safe -T $(BUILD)/linker.ld $(ARCH_LDFLAGS)

# Each directory lists its objects in objects.mk as obj-y (always) or obj-$(CONFIG_X), and those of
# them on the exit path as hot-y.
SUBDIRS := src src/lib src/kernel src/vmm src/shell src/vdev src/vdev/virtio src/fs src/drivers src/drivers/uart src/drivers/irq src/drivers/virtio src/arch/$(ARCH) src/virt src/virt/$(ARCH)
define include_objects
obj-y :=
hot-y :=
-include $(1)/objects.mk
ALL_OBJS += $$(addprefix $(OBJ_BUILD)/$(1)/,$$(sort $$(obj-y)))
HOT_OBJS += $$(addprefix $(OBJ_BUILD)/$(1)/,$$(filter $$(obj-y),$$(hot-y)))
endef
ALL_OBJS :=
HOT_OBJS :=
$(foreach d,$(SUBDIRS),$(eval $(call include_objects,$(d))))
# VM configs (and images) built into the hypervisor: make VM_CONFIGS=a.toml:b.toml
include mk/vm-configs.mk
include mk/guests.mk
# make disk_img GUESTS=...: a FAT32 disk with guest images and configs; make run DISK=disk.img
include mk/disk.mk

ELF := $(BUILD)/tessera.elf
IMAGE := $(BUILD)/$(IMAGE_NAME)

.PHONY: all deps run size test unit-test e2e-test fuzz-test clean help
all: deps $(IMAGE)

deps:
	@scripts/ensure-deps.sh build

# V=1 shows the full commands.
Q := $(if $(V),,@)
$(OBJ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CLANG) $(CFLAGS) -MMD -MP -c $< -o $@

$(OBJ_BUILD)/%.o: %.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CLANG) $(ASFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/linker.ld: src/arch/$(ARCH)/linker.ld.S
	@mkdir -p $(dir $@)
	$(Q)$(CLANG) --target=$(TARGET_TRIPLE) -E -P -x c -Iinclude $(ARCH_CFLAGS) $(LINKER_DEFINES) $< -o $@

# Rebuild when the log level, arch flags or the hot list change: they are part of the object's identity.
BUILD_FLAGS := $(CFLAGS) hot: $(HOT_OPTIMIZE) $(HOT_OBJS)
$(OBJ_BUILD)/flags: FORCE
	@mkdir -p $(dir $@)
	@echo '$(BUILD_FLAGS)' | cmp -s - $@ || echo '$(BUILD_FLAGS)' > $@
$(ALL_OBJS): $(OBJ_BUILD)/flags
$(HOT_OBJS): CFLAGS += $(HOT_OPTIMIZE)
# Phony, or the catch-all .SECONDARY: in mk/guests.mk would let make skip it and miss a change of flags.
.PHONY: FORCE
FORCE:

# LINK_PRELINKED=1 (the e2e tests' images): the hypervisor's objects are LTO-linked once per object
# directory into one relocatable object (ld -r), which each image links with its own VM table in a
# tenth of a second, instead of a whole-program LTO link of some 3 s per image (the e2e tests build
# some 140 images). The code is the same LTO-optimised code; -r keeps its symbols global, so the
# image is some 5 % larger than `make`'s, which internalises them.
LINK_PRELINKED ?=
PRELINKED_OBJ := $(OBJ_BUILD)/prelinked.o
$(PRELINKED_OBJ): $(filter-out $(BUILTIN_VMS_OBJ),$(ALL_OBJS))
	@$(if $(Q),echo "  LD -r   $@")
	$(Q)$(LLD) -r $^ -o $@.tmp && mv $@.tmp $@
LINK_INPUTS := $(if $(filter 1,$(LINK_PRELINKED)),$(PRELINKED_OBJ) $(BUILTIN_VMS_OBJ),$(ALL_OBJS))
# (--icf=safe needs the address-significance tables that ld -r drops: it would only warn.)
LINK_FLAGS := $(if $(filter 1,$(LINK_PRELINKED)),$(filter-out --icf=safe,$(LDFLAGS)),$(LDFLAGS))

$(ELF): $(LINK_INPUTS) $(BUILD)/linker.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LLD) $(LINK_FLAGS) $(LINK_INPUTS) -o $@

$(IMAGE): $(ELF)
	@$(if $(Q),echo "  IMAGE   $@")
	$(Q)$(IMAGE_COMMAND)

run: all
	@scripts/ensure-deps.sh run
	ARCH=$(ARCH) PLATFORM=$(PLATFORM) SMP=$(SMP) MEM=$(MEM) QEMU_ARGS='$(QEMU_ARGS)' DISK='$(DISK)' CMDLINE='$(CMDLINE)' scripts/qemu-run.sh $(IMAGE)

size: all
	@$(SIZE) $(ELF)

include mk/host.mk

clean:
	rm -rf build

help:
	@sed -n '2,8p' Makefile

-include $(ALL_OBJS:.o=.d)

# The C sources of this arch's image and the flags they build with (scripts/static-analysis.sh).
print-sources:
	@echo $(patsubst $(OBJ_BUILD)/%.o,%.c,$(filter %.o,$(foreach o,$(ALL_OBJS),$(if $(wildcard $(patsubst $(OBJ_BUILD)/%.o,%.c,$(o))),$(o)))))
print-cflags:
	@echo $(CFLAGS)
