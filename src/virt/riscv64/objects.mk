# SPDX-License-Identifier: Apache-2.0
# The guest half of riscv64: guests in VS-mode.
# Guest entry/exit, G-stage tables, vCPU context and exits (load/store decoding is inline, in
# virt_impl/insn_decode.h), the vPLIC, the VM's devices and generated device tree, the Image header.
obj-y += guest_entry.o gstage.o vcpu.o vplic.o guest_dtb.o kernel_image.o
# The AIA for guests: IMSIC guest interrupt files, the vAPLIC, and the choice of controller.
obj-y += imsic_guest.o vaplic.o irqchip.o
# SBI for guests, one file per extension.
obj-y += guest_sbi.o guest_sbi_base.o guest_sbi_time.o guest_sbi_ipi.o guest_sbi_rfence.o \
	guest_sbi_hsm.o guest_sbi_srst.o guest_sbi_dbcn.o guest_sbi_legacy.o guest_sbi_hypercall.o
# The exit path (built at HOT_OPTIMIZE): the vCPU's exits and MMIO, the SBI calls answered on it,
# and the vPLIC (a passed-through source's way in, its claim and complete).
hot-y += vcpu.o guest_sbi.o guest_sbi_base.o guest_sbi_time.o guest_sbi_ipi.o guest_sbi_rfence.o vplic.o
