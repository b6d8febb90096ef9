obj-y += string.o format.o
