obj-y += string.o format.o fdt.o
