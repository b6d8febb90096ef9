# Assembly: boot and secondary entry, trap entry, task switch, guarded CSR probes, guest entry/exit.
obj-y += entry.o trap_entry.o context_switch.o probe.o guest_entry.o
# C: boot_info from the device tree, trap dispatch and fault report, CPU control and features,
# SBI calls, Sv39 identity map, timer, SMP start and IPIs, task contexts.
obj-y += boot.o trap.o fault.o cpu.o cpu_features.o sbi.o mmu.o timer.o smp.o context.o
# Guests in VS-mode: G-stage tables, vCPU context and exits (load/store decoding is inline, in
# arch_impl/insn_decode.h), the VM's devices and generated device tree, SBI for guests.
obj-y += gstage.o vcpu.o vm_devices.o guest_dtb.o
obj-y += guest_sbi.o guest_sbi_base.o guest_sbi_time.o guest_sbi_ipi.o guest_sbi_rfence.o \
	guest_sbi_hsm.o guest_sbi_srst.o guest_sbi_dbcn.o guest_sbi_legacy.o guest_sbi_hypercall.o
obj-y += kernel_image.o
# The exit path (built at HOT_OPTIMIZE): the vCPU's exits and MMIO, and the SBI calls answered on it.
hot-y += vcpu.o guest_sbi.o guest_sbi_base.o guest_sbi_time.o guest_sbi_ipi.o guest_sbi_rfence.o
