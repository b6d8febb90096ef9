/* SPDX-License-Identifier: Apache-2.0 */
/* What every arch's generated guest device tree says the same way. */
#ifndef VMM_VM_DTB_H
#define VMM_VM_DTB_H

#include "virt/arch_vm.h"
#include "lib/fdt_write.h"

struct vm;

/* Starts the tree and opens its root node: two address and two size cells, the machine's
 * compatible string and the model "Tessera VM". */
void vm_dtb_begin(struct fdt_writer *w, void *buf, size_t size, const char *compatible);
/* Phandle n (1, 2, ...) of a node the arch generates: n itself, or, when host nodes are passed
 * through (vm->dt), n above the host tree's largest phandle, so that the copied nodes' references
 * keep their meaning. The VM's interrupt controller takes vm_dtb_irqchip_phandle instead: the host
 * controller's phandle, which the copied nodes name as their interrupt parent. */
uint32_t vm_dtb_phandle(const struct vm *vm, uint32_t n);
uint32_t vm_dtb_irqchip_phandle(const struct vm *vm, uint32_t n);
/* One /memory@gpa node for each of the VM's RAM regions (two address and two size cells). */
void vm_dtb_write_memory(struct fdt_writer *w, const struct vm *vm);
/* The same with "reg" in the given cells (a supplied tree's root's); -ERANGE when a region does
 * not fit them (one address cell and RAM above 4 GiB). */
__must_check int vm_dtb_write_memory_cells(struct fdt_writer *w, const struct vm *vm, int address_cells, int size_cells);
/* A virtio-mmio node (virtio/mmio.yaml) for each of the VM's virtio devices; `interrupts` writes
 * the arch's interrupt specifier for a line. Devices are dma-coherent: the hypervisor reaches guest
 * memory through the caches. */
typedef void (*vm_dtb_interrupt_fn)(struct fdt_writer *w, const struct vm *vm, uint64_t irq);
void vm_dtb_write_virtio_mmio(struct fdt_writer *w, const struct vm *vm, vm_dtb_interrupt_fn interrupts);
/* The /chosen node (Devicetree Specification 0.4 3.6, Linux's chosen.yaml): bootargs, the console
 * (stdout_path, or NULL), the initial ramdisk and the guest's own rng-seed. */
void vm_dtb_write_chosen(struct fdt_writer *w, const struct vm_boot_params *params, const char *stdout_path);
/* Its properties alone, into an open node (a supplied tree's own /chosen). */
void vm_dtb_write_chosen_properties(struct fdt_writer *w, const struct vm_boot_params *params, const char *stdout_path);

#endif
