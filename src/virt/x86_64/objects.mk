# SPDX-License-Identifier: Apache-2.0
# The guest half of x86_64 (AMD SVM with nested paging): per-CPU SVM state, VMRUN, NPT, the vCPU
# and its exits, instruction decoding, CPUID/MSR policy, the paravirtual clock and EOI, the vLAPIC and
# vIOAPIC, the guest's FPU state across task switches, the PC platform of a VM, Linux's boot protocol and ACPI tables for guests.
obj-y += svm.o svm_run.o npt.o vcpu.o guest_walk.o guest_cpuid.o guest_msr.o insn_decode.o vapic.o platform.o
obj-y += kernel_image.o linux_boot.o guest_acpi.o guest_pvclock.o guest_pv_eoi.o guest_fpu.o
hot-y += vcpu.o svm.o insn_decode.o guest_walk.o guest_cpuid.o vapic.o guest_pv_eoi.o
