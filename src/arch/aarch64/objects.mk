obj-y += head.o vectors.o context.o boot.o cpu.o trap.o mmu.o timer.o smp.o psci.o guest.o stage2.o vcpu.o guest_psci.o vgic.o vgic_mmio.o vgic_lr.o vtimer.o guest_dtb.o kernel_image.o vgic_passthrough.o vgic_v2_hw.o vgic_v2_mmio.o
hot-y += vcpu.o guest_psci.o vgic_lr.o vtimer.o
