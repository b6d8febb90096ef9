# Arch-neutral hypervisor core.
obj-y += vmm.o device_bus.o config_parse.o config_validate.o config_common.o vmm_config.o
