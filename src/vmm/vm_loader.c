/* SPDX-License-Identifier: Apache-2.0 */
/* Guest images: copied into guest RAM at their load addresses, from the images built into the
 * hypervisor (image_location = "memory") or from files on the FAT32 disk (image_location = "fs",
 * include/fs/disk.h). Any failure names the VM, the image's path and what was wrong. */
#include "fs/disk.h"
#include "vmm/builtin.h"
#include "vmm/vm_internal.h"
#include "virt/arch_vm.h"
#include "kernel/entropy.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "lib/errno.h"
#include "lib/string.h"

static void report_to_log(void *ctx, enum config_severity severity, const char *message)
{
	(void)ctx;
	if (severity == CONFIG_ERROR)
		log_error("%s", message);
	else
		log_warn("%s", message);
}

#define DISK_CHUNK (256 * 1024) /* bytes read from the disk per copy into guest RAM */

static int load_from_disk(struct vm *vm, enum vm_image_kind kind, struct config_reporter *reporter)
{
	const struct vm_image *image = &vm->config->kernel.images[kind];
	const char *key = config_image_kind_name(kind);
	struct fat32_file file;
	int err = disk_open(image->path.value, &file);
	if (err == 0 && file.is_directory)
		err = -EINVAL;
	if (err < 0) {
		vm_log_error(vm, "%s_path '%s': %s", key, image->path.value,
			     err == -EINVAL ? "is a directory" : disk_error());
		return err;
	}
	if (config_check_image_fits_at(vm->config, kind, vm->image_gpa[kind], file.size, reporter) < 0) {
		vm_log_error(vm, "%s_path '%s': the file (%llu bytes) does not fit in guest RAM at %#llx", key,
			     image->path.value, (unsigned long long)file.size,
			     (unsigned long long)vm->image_gpa[kind]);
		return -EINVAL;
	}
	uint8_t *chunk = kmalloc(DISK_CHUNK);
	if (!chunk)
		return -ENOMEM;
	for (uint64_t offset = 0; offset < file.size && err == 0; offset += DISK_CHUNK) {
		int64_t got = fat32_read(&file, offset, chunk, DISK_CHUNK);
		if (got <= 0) {
			vm_log_error(vm, "%s_path '%s': read at offset %llu failed: %s", key,
				     image->path.value, (unsigned long long)offset, file.volume->error);
			err = -EIO;
		} else {
			err = vm_copy_to_guest(vm, vm->image_gpa[kind] + offset, chunk, (size_t)got);
		}
	}
	kfree(chunk);
	if (err == 0 && kind == VM_IMAGE_RAMDISK) {
		vm->initrd_start = vm->image_gpa[kind];
		vm->initrd_end = vm->image_gpa[kind] + file.size;
	}
	if (err == 0)
		vm_log_at(vm_boot_log_level(vm), vm, "loaded %s '%s' from the disk (%llu bytes) at %#llx", key,
			    image->path.value, (unsigned long long)file.size, (unsigned long long)vm->image_gpa[kind]);
	return err;
}

/* A kernel whose header says more than its file (a Linux Image: its BSS, its required placement)
 * is checked against that: it must fit in guest RAM with its BSS and sit where it must. */
static int check_kernel_layout(struct vm *vm, struct config_reporter *reporter)
{
	const struct vm_image *kernel = &vm->config->kernel.images[VM_IMAGE_KERNEL];
	uint8_t header[KERNEL_HEADER_BYTES];
	struct kernel_layout layout;
	gpa_t load = vm->image_gpa[VM_IMAGE_KERNEL];
	if (!kernel->path.value || vm_copy_from_guest(vm, header, load, sizeof(header)) < 0 ||
	    !arch_kernel_layout(header, sizeof(header), load, &layout))
		return 0;
	if (layout.footprint && config_check_image_fits_at(vm->config, VM_IMAGE_KERNEL, load, layout.footprint, reporter) < 0) {
		vm_log_error(vm, "the kernel needs %#llx bytes with its BSS (its header says so)",
			     (unsigned long long)layout.footprint);
		return -EINVAL;
	}
	if (layout.alignment && load % layout.alignment != layout.offset) {
		config_report(reporter, CONFIG_ERROR, vm->config->file_name, kernel->load_addr.line, "kernel.kernel_load_addr",
			      "%#llx: this kernel's header asks for a %#llx boundary plus %#llx",
			      (unsigned long long)load, (unsigned long long)layout.alignment,
			      (unsigned long long)layout.offset);
		return -EINVAL;
	}
	return 0;
}

/* Arches whose boot protocol needs nothing beyond the images and the device tree. */
__attribute__((weak)) int arch_vm_prepare_boot(struct vm *vm)
{
	(void)vm;
	return 0;
}

/* After the images: the kernel's own constraints, the device tree if the arch builds one, then
 * whatever else the arch's boot protocol asks for. */
static int finish_loading(struct vm *vm, struct config_reporter *reporter)
{
	int err = check_kernel_layout(vm, reporter);
	if (err == 0)
		err = vm->config->kernel.images[VM_IMAGE_DTB].path.value ? vm_update_supplied_dtb(vm, reporter) : vm_generate_dtb(vm);
	return err < 0 ? err : arch_vm_prepare_boot(vm);
}

/* The first bytes of the kernel image, from the hypervisor or the disk; 0 bytes when it cannot be
 * read (the load that follows says why). */
static size_t read_kernel_header(struct vm *vm, uint8_t *buf, size_t size)
{
	const struct vm_config *config = vm->config;
	if (!config->kernel.images[VM_IMAGE_KERNEL].path.value)
		return 0;
	if (config->kernel.image_location.value == VM_IMAGE_IN_MEMORY) {
		const struct builtin_vm_file *file = vmm_builtin_image(config, VM_IMAGE_KERNEL);
		size_t n = file ? MIN(size, file->size) : 0;
		if (n)
			memcpy(buf, file->data, n);
		return n;
	}
	struct fat32_file file;
	if (disk_open(config->kernel.images[VM_IMAGE_KERNEL].path.value, &file) < 0 || file.is_directory)
		return 0;
	int64_t got = fat32_read(&file, 0, buf, size);
	return got > 0 ? (size_t)got : 0;
}

/* Where each image goes: the config's load address; for a kernel whose config leaves it to the
 * loader (AxVisor's Linux examples do), where its boot protocol puts it: its protocol's own
 * address (x86 bzImage: 0x100000), or the start of the lowest RAM region aligned as its header asks
 * plus its offset (arm64: 2 MiB plus text_offset; riscv64: 2 MiB), or that start itself for a
 * binary without a header. The entry point defaults to where the kernel starts (on x86, for a
 * bzImage, the protocol's entry). */
static void place_images(struct vm *vm)
{
	const struct vm_config *config = vm->config;
	for (int kind = 0; kind < VM_IMAGE_KIND_COUNT; kind++)
		vm->image_gpa[kind] = config->kernel.images[kind].load_addr.value;
	if (!config->kernel.images[VM_IMAGE_KERNEL].load_addr.line && vm->ram_count) {
		gpa_t ram = vm->ram[0].gpa;
		for (unsigned i = 1; i < vm->ram_count; i++)
			ram = MIN(ram, vm->ram[i].gpa);
		uint8_t header[KERNEL_HEADER_BYTES];
		size_t n = read_kernel_header(vm, header, sizeof(header));
		struct kernel_layout layout = { 0 };
		gpa_t at = ram;
		if (n && arch_kernel_layout(header, n, ram, &layout)) {
			uint64_t align = layout.alignment ? layout.alignment : PAGE_SIZE;
			at = layout.preferred ? layout.preferred : (ram + align - 1) / align * align + layout.offset;
		}
		vm->image_gpa[VM_IMAGE_KERNEL] = at;
		vm_log_info(vm, "no kernel_load_addr in its config: the kernel goes to %#llx", (unsigned long long)at);
	}
	vm->entry = config->kernel.entry_point.line ? config->kernel.entry_point.value : vm->image_gpa[VM_IMAGE_KERNEL];
}

int vm_load_images(struct vm *vm)
{
	const struct vm_config *config = vm->config;
	place_images(vm);
	if (config->kernel.image_location.value != VM_IMAGE_IN_MEMORY) {
		struct config_reporter reporter = { .report = report_to_log };
		for (int kind = 0; kind < VM_IMAGE_KIND_COUNT; kind++) {
			if (!config->kernel.images[kind].path.value)
				continue;
			int err = load_from_disk(vm, (enum vm_image_kind)kind, &reporter);
			if (err < 0)
				return err;
		}
		return finish_loading(vm, &reporter);
	}
	struct config_reporter reporter = { .report = report_to_log };
	for (int kind = 0; kind < VM_IMAGE_KIND_COUNT; kind++) {
		const struct vm_image *image = &config->kernel.images[kind];
		if (!image->path.value)
			continue;
		const struct builtin_vm_file *file = vmm_builtin_image(config, (enum vm_image_kind)kind);
		if (!file) {
			vm_log_error(vm, "%s_path '%s' was not built into this image",
				     config_image_kind_name((enum vm_image_kind)kind), image->path.value);
			return -ENOENT;
		}
		if (config_check_image_fits_at(config, (enum vm_image_kind)kind, vm->image_gpa[kind], file->size, &reporter) < 0)
			return -EINVAL;
		int err = vm_copy_to_guest(vm, vm->image_gpa[kind], file->data, file->size);
		if (err < 0) {
			vm_log_error(vm, "%s image (%zu bytes) at %#llx is not in guest RAM",
				     config_image_kind_name((enum vm_image_kind)kind), file->size,
				     (unsigned long long)vm->image_gpa[kind]);
			return err;
		}
		vm_log_at(vm_boot_log_level(vm), vm, "loaded %s '%s' (%zu bytes) at %#llx",
			    config_image_kind_name((enum vm_image_kind)kind), image->path.value, file->size,
			    (unsigned long long)vm->image_gpa[kind]);
		if (kind == VM_IMAGE_RAMDISK) {
			vm->initrd_start = vm->image_gpa[kind];
			vm->initrd_end = vm->image_gpa[kind] + file->size;
		}
	}
	return finish_loading(vm, &reporter);
}

void vm_boot_params_of(const struct vm *vm, struct vm_boot_params *params)
{
	*params = (struct vm_boot_params){
		.cmdline = vm->config->kernel.cmdline.value,
		.initrd_start = vm->initrd_start,
		.initrd_end = vm->initrd_end,
	};
	/* A fresh seed on every boot, reboots included: a guest must not see the same seed twice. */
	params->has_rng_seed = entropy_get(params->rng_seed, sizeof(params->rng_seed));
}

/* Without a dtb_path the arch describes the VM itself. The tree goes to dtb_load_addr when the
 * config gives one, else 2 MiB below the end of the first RAM region (clear of a kernel loaded
 * low and of an initrd loaded in the middle). */
int vm_generate_dtb(struct vm *vm)
{
	const size_t max = 64 * 1024;
	void *buf = kmalloc(max);
	if (!buf)
		return -ENOMEM;
	struct vm_boot_params params;
	vm_boot_params_of(vm, &params);
	int size = arch_vm_build_dtb(vm, &params, buf, max);
	memset(params.rng_seed, 0, sizeof(params.rng_seed));
	if (size == -ENOTSUP) {
		kfree(buf);
		return 0;
	}
	if (size < 0) {
		vm_log_error(vm, "cannot build its device tree: %d", size);
		kfree(buf);
		return size;
	}
	const struct vm_image *dtb = &vm->config->kernel.images[VM_IMAGE_DTB];
	gpa_t at = dtb->load_addr.line ? dtb->load_addr.value
				       : ALIGN_DOWN(vm->ram[0].gpa + vm->ram[0].size - MiB(2), MiB(2));
	int err = vm_copy_to_guest(vm, at, buf, (size_t)size);
	kfree(buf);
	if (err < 0) {
		vm_log_error(vm, "no guest RAM for its device tree at %#llx", (unsigned long long)at);
		return err;
	}
	vm->dtb_address = at;
	vm_log_at(vm_boot_log_level(vm), vm, "generated device tree (%d bytes) at %#llx", size, (unsigned long long)at);
	return 0;
}
