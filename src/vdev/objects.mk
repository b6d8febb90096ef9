obj-y += pl011.o dummy.o ns16550.o
obj-$(CONFIG_VDEV_X86) += x86_apic.o x86_pc.o x86_pci.o x86_rtc.o i8254.o x86_pit.o
obj-$(CONFIG_VPLIC) += vplic.o
hot-y += pl011.o ns16550.o
