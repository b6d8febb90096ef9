# SPDX-License-Identifier: Apache-2.0
# The host half of riscv64 in HS-mode.
# Assembly: boot and secondary entry, trap entry, task switch, guarded CSR probes.
obj-y += entry.o trap_entry.o context_switch.o probe.o
# C: boot_info from the device tree, trap dispatch and fault report, CPU control and features,
# SBI calls, Sv39 identity map, timer, SMP start and IPIs, task contexts.
obj-y += boot.o trap.o fault.o cpu.o cpu_features.o sbi.o mmu.o timer.o smp.o context.o
# Trap dispatch: on every host interrupt's way to a guest (built at HOT_OPTIMIZE).
hot-y += trap.o
