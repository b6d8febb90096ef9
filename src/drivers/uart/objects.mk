# SPDX-License-Identifier: Apache-2.0
obj-$(CONFIG_PL011) += pl011.o
obj-$(CONFIG_NS16550_MMIO) += ns16550_mmio.o
obj-$(CONFIG_NS16550_PIO) += ns16550_pio.o
obj-$(CONFIG_CADENCE_UART) += cadence.o
