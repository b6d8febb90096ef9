# SPDX-License-Identifier: Apache-2.0
# Host tools: HOST_TOOLS += name; tool-srcs-name := every source file of the tool.

HOST_TOOLS += vmconfig
tool-srcs-vmconfig := tools/vmconfig/main.c tools/vmconfig/show.c tools/vmconfig/platform.c tools/vmconfig/vmconfig.h \
	src/lib/toml.c src/lib/format.c src/vmm/config_parse.c src/vmm/config_validate.c src/vmm/config_common.c \
	src/lib/fdt.c src/kernel/platform_fdt.c
