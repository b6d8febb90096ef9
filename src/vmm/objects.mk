obj-y += vmm.o device_bus.o
