# SPDX-License-Identifier: Apache-2.0
obj-$(CONFIG_GICV2) += gicv2.o
obj-$(CONFIG_GICV3) += gicv3.o gic_common.o
obj-$(CONFIG_GICV2) += gic_common.o
obj-$(CONFIG_PLIC) += plic.o
obj-$(CONFIG_AIA) += aia.o
obj-$(CONFIG_LAPIC) += lapic.o
obj-$(CONFIG_IOAPIC) += ioapic.o
hot-y += gicv3.o plic.o
