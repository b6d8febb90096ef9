/* SPDX-License-Identifier: Apache-2.0 */
/* The arch contract, guest part: guest-physical page tables (stage-2, G-stage, NPT), vCPU state,
 * entering the guest and decoding why it left. struct vm_arch and struct vcpu_arch are defined by
 * the arch in virt_impl/vm.h and embedded in the generic objects. */
#ifndef VIRT_ARCH_VM_H
#define VIRT_ARCH_VM_H

#include "lib/types.h"
#include "vmm/exit.h"

struct vm;
struct virtio_vdev;
struct vcpu;
struct vm_emu_device;

/* Guest memory permissions for arch_gpt_map. */
#define GPT_READ 0x1u
#define GPT_WRITE 0x2u
#define GPT_EXECUTE 0x4u
#define GPT_DEVICE 0x8u /* device memory (passthrough MMIO): no caching, no speculation */

/* Creates the VM's empty guest page tables and picks its VMID/ASID. */
__must_check int arch_vm_init(struct vm *vm);
/* Creates the VM's virtual interrupt controller once its vCPUs exist (none when the config asks
 * for none) and makes it the VM's irqchip (vm_set_irqchip). Each arch implements it in its
 * controller's file: vgic.c (aarch64 vGICv3, or vGICv2 on a GICv2 host), vplic.c (riscv64),
 * vapic.c (x86 local APICs and IOAPIC). */
__must_check int arch_vm_create_irqchip(struct vm *vm);
/* Creates the devices every VM of the arch has besides its config's and its interrupt controller
 * (x86: the PC's legacy ports, RTC and PIT, and the ports the config passes through), at the end
 * of vm_setup_devices. The core has a no-op default for arches that have none. */
__must_check int arch_vm_create_platform(struct vm *vm);
/* The part of the VM's own interrupt controller that serves [gpa, gpa + size) whole, by name, or
 * NULL. A passthrough window naming it (AxVisor's x86 configs name the IO APIC and local APIC
 * pages) is served by that emulation: the host's interrupt controller is the hypervisor's. The
 * core defaults to none. */
const char *arch_vm_irqchip_window(gpa_t gpa, uint64_t size);
/* Puts a virtio device on the VM's buses the way the arch's guests find them: virtio-mmio at the
 * config's window (the core's default; aarch64 and riscv64 list it in the device tree), or a PCI
 * function (x86). NULL when memory runs out. */
__must_check struct vdev *arch_vm_virtio_transport(struct vm *vm, struct virtio_vdev *v,
						   const struct vm_emu_device *emu);
/* The console a VM gets when its config names none (devices.console = "auto"): an emulated UART
 * where the arch's usual machine has one (QEMU virt's PL011 or 16550, the PC's COM1), as an
 * emu_devices entry would describe it. */
void arch_vm_default_console(struct vm_emu_device *console);
/* Whether a host device-tree node is the hypervisor's, kept from device-tree passthrough with its
 * subtree (vmm/dt_passthrough.h): the arch's timer, PMU, a power-off device that would stop the
 * host. The host interrupt controller is kept without asking. The core defaults to none. */
bool arch_dt_node_is_kept(const void *fdt, int node);
/* What the boot protocol tells the guest besides its devices. */
struct vm_boot_params {
	const char *cmdline;      /* NULL: none */
	gpa_t initrd_start;       /* 0: no initial ramdisk */
	gpa_t initrd_end;
	uint8_t rng_seed[64];     /* /chosen/rng-seed: this boot's own, from kernel/entropy.h */
	bool has_rng_seed;
};

/* Writes a device tree describing the VM (memory, CPUs, interrupt controller, timer, consoles,
 * /chosen) into buf; returns its size, -ENOSPC, or -ENOTSUP when the arch has no DT guests. */
__must_check int arch_vm_build_dtb(struct vm *vm, const struct vm_boot_params *params, void *buf,
				   size_t size);
/* For a tree the config supplies (dtb_path, vm_dtb_supplied.c): writes the VM's own /cpus, giving
 * vCPU n's node phandles[n] where n < count (the supplied tree's CPU nodes' phandles in order, so
 * that what refers to them keeps its meaning), and returns true; or returns false to keep the
 * supplied /cpus, where the arch's CPU nodes carry more than the CPUs (riscv64: each hart's
 * interrupt controller, which the tree's PLIC or APLIC names). */
struct fdt_writer;
bool arch_vm_dtb_write_cpus(struct fdt_writer *w, struct vm *vm, const uint32_t *phandles, unsigned count);
/* What a kernel image's header says about its placement (the Linux arm64/riscv Image header's
 * text_offset and image_size, Linux Documentation/arch/arm64/booting.rst; the x86 bzImage's
 * kernel_alignment, pref_address and init_size, Documentation/arch/x86/boot.rst). */
struct kernel_layout {
	uint64_t footprint;  /* bytes from the load address it occupies once running, BSS included; 0: the file's size */
	uint64_t alignment;  /* it must load at a multiple of this plus offset; 0: anywhere */
	uint64_t offset;
	gpa_t preferred;     /* where its boot protocol puts it when the config does not say (x86
			      * bzImage: 0x100000); 0: the first RAM aligned as above, plus offset */
};

/* Bytes of a kernel image's start handed to arch_kernel_layout: enough for the x86 bzImage setup
 * header, which ends near offset 0x270. */
#define KERNEL_HEADER_BYTES 1024

/* Reads the header at the start of a kernel image loaded at load; false when it is not a format
 * the arch knows (a bare-metal binary), in which case nothing is checked. */
bool arch_kernel_layout(const void *header, size_t size, gpa_t load, struct kernel_layout *layout);
/* Called once the images are loaded (and again after a reset): what the boot protocol needs
 * beyond the images and the device tree (x86: the bzImage's kernel moved in place, boot_params,
 * ACPI tables, the first page tables). The core has a no-op default for arches that need none. */
__must_check int arch_vm_prepare_boot(struct vm *vm);
/* Frees the guest page tables (the memory they map is the caller's). */
void arch_vm_destroy(struct vm *vm);
__must_check int arch_gpt_map(struct vm *vm, gpa_t gpa, hpa_t hpa, uint64_t size, unsigned permissions);
/* Removes a mapping; effective on every CPU when it returns (no vCPU of the VM, wherever it runs,
 * still reaches the old frames through a cached translation), so the caller may free them. */
__must_check int arch_gpt_unmap(struct vm *vm, gpa_t gpa, uint64_t size);
/* The host address behind a guest-physical address; -EFAULT when unmapped. */
__must_check int arch_gpt_translate(struct vm *vm, gpa_t gpa, hpa_t *hpa);

/* The CPUs vCPU `index` of the VM may run on, from those its config allows, decided before the
 * vCPU is created (riscv64: one CPU, whose hart holds the vCPU's IMSIC guest interrupt file); 0
 * when none will do (the arch said why). The core's default keeps the config's. */
uint64_t arch_vcpu_placement(struct vm *vm, unsigned index, uint64_t allowed); /* cpumask_t, kernel/sched.h */
/* Puts a vCPU in its architectural reset state, to start at entry with arg in the boot-protocol
 * register (x0 = DTB on arm64, a1 = DTB with a0 = hart id on riscv64, rsi = boot_params on x86). */
__must_check int arch_vcpu_init(struct vcpu *vcpu, gpa_t entry, uint64_t arg);
/* Frees what arch_vcpu_init allocated for the vCPU (x86: its VMCB and FPU area); its task has
 * ended (the VM is deleted). */
void arch_vcpu_free(struct vcpu *vcpu);
/* Moves the guest's clock back by `ticks` of the host's timer (the VM was suspended that long),
 * with its timers' deadlines, so that it goes on where it stood. The vCPU is off its CPU. An arch
 * that cannot offset what the guest reads leaves it (the guest sees the pause). */
void arch_vcpu_shift_clock(struct vcpu *vcpu, uint64_t ticks);
/* Loads a vCPU's state onto this physical CPU (system registers, FP) before running it, and
 * saves it back before the vCPU's task may sleep or migrate. */
void arch_vcpu_load(struct vcpu *vcpu);
void arch_vcpu_put(struct vcpu *vcpu);
/* Runs the guest until an exit the core must see; interrupts masked on entry and return.
 * EXIT_UNCLAIMED: *exit is the run loop's to count and handle (vcpu_handle_exit); EXIT_HANDLED:
 * the exit path finished and counted the exit, and returned only so that the run loop acts on a
 * request before the guest runs again. */
enum vm_exit_result arch_vcpu_run(struct vcpu *vcpu, struct vm_exit *exit);
/* Completes a handled exit: writes an MMIO read's value or a call's result into the guest's
 * register and moves the guest past the instruction. */
void arch_vcpu_finish_exit(struct vcpu *vcpu, const struct vm_exit *exit);
/* Delivers the architected fault for an access no model accepts (data abort, access fault, #GP). */
void arch_vcpu_inject_fault(struct vcpu *vcpu, const struct vm_exit *exit);
/* Whether an interrupt is pending for the vCPU (a halted vCPU wakes for it). */
bool arch_vcpu_irq_pending(struct vcpu *vcpu);
/* The guest-visible id of vCPU n of a VM (MPIDR, hart id, APIC id). */
uint64_t arch_vcpu_guest_id(unsigned vcpu_index);

#endif
