# SPDX-License-Identifier: Apache-2.0
# The guest half of aarch64: guest entry and exit, stage-2 tables, the vCPU and its exits, PSCI for
# guests, the vGIC (v3 and v2) and virtual timer, the generated device tree, the Image header.
obj-y += guest.o stage2.o vcpu.o vcpu_no_syndrome.o guest_psci.o vgic.o vgic_mmio.o vgic_lr.o vtimer.o guest_dtb.o kernel_image.o \
	vgic_passthrough.o vgic_v2_hw.o vgic_v2_mmio.o
hot-y += vcpu.o guest_psci.o vgic_lr.o vtimer.o
