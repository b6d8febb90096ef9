# SPDX-License-Identifier: Apache-2.0
obj-y += dummy.o ns16550.o vswitch.o
# The PL011 is Arm's UART: only aarch64 guests have a driver for it (mk/arch-aarch64.mk).
obj-$(CONFIG_VDEV_PL011) += pl011.o
# The PC's devices (8254 PIT, CMOS RTC, PCI host bridge, legacy ports) on x86_64.
obj-$(CONFIG_VDEV_X86) += x86_pc.o x86_power_button.o x86_pci.o x86_rtc.o i8254.o x86_pit.o
hot-y += pl011.o ns16550.o
