# Arch-neutral hypervisor core.
obj-y += config_parse.o config_validate.o config_common.o vmm_config.o
