# SPDX-License-Identifier: Apache-2.0
# The host half of x86_64 in long mode: multiboot entry, ACPI tables, GDT/IDT and traps, the
# hypervisor's own page tables, SMP start, TSC/PIT/LAPIC timer, power, SVM detection, the CMOS RTC.
obj-y += entry32.o entry64.o ap_trampoline.o vectors.o context.o
obj-y += boot.o multiboot.o acpi.o gdt.o idt.o trap.o mmu.o smp.o
obj-y += tsc.o pit.o timer.o cpu.o power.o virtualization.o lapic_access.o host_rtc.o
hot-y += trap.o timer.o
