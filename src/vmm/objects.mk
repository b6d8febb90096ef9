# SPDX-License-Identifier: Apache-2.0
obj-y += vmm.o device_bus.o host_resources.o config_parse.o config_validate.o config_common.o vmm_config.o vm.o vm_memory.o vm_loader.o vm_dtb.o vm_devices.o vm_blk_backend.o pci_bus.o vcpu.o vcpu_exit.o hypercall.o ivc.o vm_console.o console_focus.o vm_list.o
hot-y += device_bus.o vcpu_exit.o
# Device-tree passthrough where the machine has a device tree; elsewhere (x86_64) a stand-in that
# passes nothing and refuses device-tree paths.
obj-$(CONFIG_FDT_PLATFORM) += dt_passthrough.o vm_dtb_supplied.o
ifneq ($(CONFIG_FDT_PLATFORM),y)
obj-y += dt_passthrough_none.o vm_dtb_supplied_none.o
endif
