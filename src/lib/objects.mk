obj-y += string.o format.o fdt.o toml.o
