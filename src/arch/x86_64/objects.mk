obj-y += entry32.o entry64.o ap_trampoline.o vectors.o context.o
obj-y += boot.o multiboot.o acpi.o gdt.o idt.o trap.o mmu.o smp.o
obj-y += tsc.o pit.o timer.o cpu.o power.o virtualization.o lapic_access.o
obj-y += svm.o svm_run.o npt.o vcpu.o guest_walk.o guest_cpuid.o guest_msr.o insn_decode.o platform.o
obj-y += kernel_image.o linux_boot.o guest_acpi.o host_rtc.o guest_pvclock.o
hot-y += vcpu.o svm.o insn_decode.o guest_walk.o guest_cpuid.o
