obj-y += pl011.o dummy.o
