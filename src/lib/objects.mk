# SPDX-License-Identifier: Apache-2.0
obj-y += string.o format.o fdt.o fdt_write.o toml.o chacha20.o id_pool.o
