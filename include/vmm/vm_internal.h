/* SPDX-License-Identifier: Apache-2.0 */
/* Pieces of VM construction shared by the files of src/vmm/ (not for device models or arches). */
#ifndef VMM_VM_INTERNAL_H
#define VMM_VM_INTERNAL_H

#include "vmm/vm.h"

__must_check int vm_setup_memory(struct vm *vm);
/* Backs and maps the RAM regions again (device regions stay mapped): a stopped VM starts again. */
__must_check int vm_setup_ram(struct vm *vm);
/* Unmaps and frees the RAM regions (a stop: the VM may start again). */
void vm_release_memory(struct vm *vm);
/* A reset: the region holds nothing of the last run for the guest's next touches (its chunks are
 * unmapped, to be cleared at their first touch; GPA = HPA memory is cleared now). Every vCPU of
 * the VM is stopped. */
void vm_forget_ram(struct vm *vm, struct vm_ram *ram);
/* Copies the VM's images into guest RAM (at create time and on every reset). */
__must_check int vm_load_images(struct vm *vm);
/* Builds and places the arch's device tree for the VM (no dtb_path given). */
__must_check int vm_generate_dtb(struct vm *vm);
/* What this boot of the VM tells its kernel: the config's command line and ramdisk, and a fresh
 * rng-seed (wipe it with memset once written). */
struct vm_boot_params;
void vm_boot_params_of(const struct vm *vm, struct vm_boot_params *params);
/* A tree the config supplies (dtb_path), already loaded at its address: its /memory, /chosen and
 * (where the arch writes them) /cpus made to say what this VM is, as AxVisor does with a supplied
 * tree (vm_dtb_supplied.c). */
struct config_reporter;
__must_check int vm_update_supplied_dtb(struct vm *vm, struct config_reporter *reporter);
/* Passthrough windows and emulated devices from the config. */
__must_check int vm_setup_devices(struct vm *vm);
void vm_release_devices(struct vm *vm);
/* The backend a virtio-blk device's name asks for (vm_blk_backend.c), or NULL after a log line. */
__must_check struct vblk_backend *vm_blk_backend_open(struct vm *vm, const struct vm_emu_device *emu);
/* Puts every device back in its power-on state (a VM reset, all its vCPUs stopped). */
void vm_reset_devices(struct vm *vm);
/* Each device's report line (vdev_ops.report), when the VM stops. */
void vm_report_devices(struct vm *vm);
/* Called by a vCPU's task when it leaves the guest for good (CPU_OFF, stop, reset). */
void vm_vcpu_left(struct vm *vm);
/* A vCPU's task's last word before it ends (vm_delete waits for all of them). */
void vm_vcpu_task_ended(struct vm *vm);
/* The console state of a VM (vm_console.c): its history ring, made with the VM and freed with it. */
__must_check int vm_console_init(struct vm *vm);
void vm_console_release(struct vm *vm);

#endif
