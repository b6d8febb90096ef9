obj-y += string.o format.o
obj-y += toml.o
