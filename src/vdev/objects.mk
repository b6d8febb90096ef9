obj-y += pl011.o dummy.o ns16550.o
obj-$(CONFIG_VPLIC) += vplic.o
