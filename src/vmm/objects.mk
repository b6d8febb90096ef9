obj-y += vmm.o
