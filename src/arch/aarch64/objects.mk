# SPDX-License-Identifier: Apache-2.0
# The host half of aarch64 at EL2: boot, exception vectors and traps, the hypervisor's own MMU,
# the timer, SMP start through PSCI, task contexts.
obj-y += head.o vectors.o context.o boot.o cpu.o trap.o mmu.o timer.o smp.o psci.o
