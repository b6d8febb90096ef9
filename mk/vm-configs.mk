# SPDX-License-Identifier: Apache-2.0
# Built-in VM configs: make VM_CONFIGS=a.toml:b.toml builds each config, and for image_location =
# "memory" its kernel/DTB/BIOS/ramdisk, into the hypervisor (tables in include/vmm/builtin.h).
# Include after ALL_OBJS is collected. The table object always exists, empty without VM_CONFIGS.
#   make config-test    checks every example in configs/vms/ with the host tool, arch by arch

VMCONFIG_TOOL := $(HOST_BUILD)/tools/vmconfig
BUILTIN_VMS_DIR := $(BUILD)/generated
BUILTIN_VMS_ASM := $(BUILTIN_VMS_DIR)/builtin_vms.S
BUILTIN_VMS_OBJ := $(BUILTIN_VMS_DIR)/builtin_vms.o
BUILTIN_VMS_DEP := $(BUILTIN_VMS_DIR)/builtin_vms.deps
BUILTIN_VMS_STAMP := $(BUILTIN_VMS_DIR)/vm-configs.value
VM_CONFIG_FILES := $(subst :, ,$(VM_CONFIGS))

ALL_OBJS += $(BUILTIN_VMS_OBJ)

# Regenerate when the list itself changes, not only the files in it.
$(BUILTIN_VMS_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(VM_CONFIGS)' | cmp -s - $@ || echo '$(VM_CONFIGS)' > $@

$(BUILTIN_VMS_ASM): $(BUILTIN_VMS_STAMP) $(VM_CONFIG_FILES) $(VMCONFIG_TOOL) scripts/gen-builtin-vms.sh
	@mkdir -p $(dir $@)
	scripts/gen-builtin-vms.sh $(VMCONFIG_TOOL) $@ $(BUILTIN_VMS_DEP) '$(VM_CONFIGS)'

$(BUILTIN_VMS_OBJ): $(BUILTIN_VMS_ASM)
	$(CLANG) $(ASFLAGS) -c $< -o $@

-include $(BUILTIN_VMS_DEP)

.PHONY: config-test
config-test: $(VMCONFIG_TOOL)
	@set -e; for arch in aarch64 riscv64 x86_64; do \
	  echo "== vmconfig check configs/vms/*-$$arch.toml"; \
	  $(VMCONFIG_TOOL) check --cpus 4 configs/vms/*-$$arch.toml; \
	  for f in configs/vms/*-$$arch.toml; do $(VMCONFIG_TOOL) show $$f > /dev/null; done; \
	done
	@echo "== vmconfig check --cpus 4 configs/vms/*.toml (the README's example: ids compared within an arch)"
	@$(VMCONFIG_TOOL) check --cpus 4 configs/vms/*.toml
	@echo "== two configs of one arch with one VM id are refused, naming both"
	@mkdir -p $(HOST_BUILD)/config-test && cp configs/vms/demo-riscv64.toml $(HOST_BUILD)/config-test/copy-riscv64.toml
	@! $(VMCONFIG_TOOL) check configs/vms/*.toml $(HOST_BUILD)/config-test/copy-riscv64.toml 2> $(HOST_BUILD)/config-test/err
	@grep -q "copy-riscv64.toml:5: base.id: VM id 1 is also used by configs/vms/demo-riscv64.toml:5" $(HOST_BUILD)/config-test/err
	@! grep -q "aarch64" $(HOST_BUILD)/config-test/err
	@echo "== scripts/gen-builtin-vms.sh with an image that is missing must fail naming config and key"
	@rm -rf $(HOST_BUILD)/config-test && mkdir -p $(HOST_BUILD)/config-test && printf '%s\n' '[base]' 'id = 9' 'name = "t"' 'vm_type = 1' \
	  'cpu_num = 1' '[kernel]' 'image_location = "memory"' 'kernel_path = "missing.bin"' \
	  'kernel_load_addr = 0x1000' 'entry_point = 0x1000' 'memory_regions = [[0x0, 0x10000, 7, 0]]' \
	  > $(HOST_BUILD)/config-test/t.toml
	@! scripts/gen-builtin-vms.sh $(VMCONFIG_TOOL) $(HOST_BUILD)/config-test/t.S $(HOST_BUILD)/config-test/t.d \
	  $(HOST_BUILD)/config-test/t.toml 2> $(HOST_BUILD)/config-test/err
	@grep -q "t.toml: kernel.kernel_path: cannot read '.*missing.bin'" $(HOST_BUILD)/config-test/err
	@echo "== an embedded image lands in the generated tables"
	@head -c 100 /dev/urandom > $(HOST_BUILD)/config-test/missing.bin
	@scripts/gen-builtin-vms.sh $(VMCONFIG_TOOL) $(HOST_BUILD)/config-test/t.S $(HOST_BUILD)/config-test/t.d \
	  $(HOST_BUILD)/config-test/t.toml
	@$(CLANG) $(ASFLAGS) -c $(HOST_BUILD)/config-test/t.S -o $(HOST_BUILD)/config-test/t.o
	@grep -q "missing.bin" $(HOST_BUILD)/config-test/t.d
	@rm -f $(HOST_BUILD)/config-test/missing.bin
	@echo "config-test: ok"
