obj-y += pl011.o dummy.o ns16550.o
