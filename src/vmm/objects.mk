# SPDX-License-Identifier: Apache-2.0
obj-y += vmm.o device_bus.o dt_passthrough.o host_resources.o config_parse.o config_validate.o config_common.o vmm_config.o vm.o vm_memory.o vm_loader.o vm_dtb.o vm_devices.o vcpu.o vcpu_exit.o hypercall.o vm_console_input.o
hot-y += device_bus.o vcpu_exit.o
