/* Guest images: copied into guest RAM at their load addresses from the images built into the
 * hypervisor (image_location = "memory"). Images on a FAT32 disk (image_location = "fs") arrive
 * with the disk support; until then such a VM is refused with a message naming it. */
#include "vmm/builtin.h"
#include "vmm/vm_internal.h"
#include "arch/vm.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "lib/errno.h"

static void report_to_log(void *ctx, enum config_severity severity, const char *message)
{
	(void)ctx;
	if (severity == CONFIG_ERROR)
		log_error("%s", message);
	else
		log_warn("%s", message);
}

int vm_load_images(struct vm *vm)
{
	const struct vm_config *config = vm->config;
	if (config->kernel.image_location.value != VM_IMAGE_IN_MEMORY) {
		log_error("VM[%u] %s: %s: image_location = \"fs\" needs the FAT32 disk support, which this build "
			  "does not have yet", vm->id, vm->name, config->file_name);
		return -ENOTSUP;
	}
	struct config_reporter reporter = { .report = report_to_log };
	for (int kind = 0; kind < VM_IMAGE_KIND_COUNT; kind++) {
		const struct vm_image *image = &config->kernel.images[kind];
		if (!image->path.value)
			continue;
		const struct builtin_vm_file *file = vmm_builtin_image(config, (enum vm_image_kind)kind);
		if (!file) {
			log_error("VM[%u] %s: %s_path '%s' was not built into this image", vm->id, vm->name,
				  config_image_kind_name((enum vm_image_kind)kind), image->path.value);
			return -ENOENT;
		}
		if (config_check_image_fits(config, (enum vm_image_kind)kind, file->size, &reporter) < 0)
			return -EINVAL;
		int err = vm_copy_to_guest(vm, image->load_addr.value, file->data, file->size);
		if (err < 0) {
			log_error("VM[%u] %s: %s image (%zu bytes) at %#llx is not in guest RAM", vm->id, vm->name,
				  config_image_kind_name((enum vm_image_kind)kind), file->size,
				  (unsigned long long)image->load_addr.value);
			return err;
		}
		log_info("VM[%u] %s: loaded %s '%s' (%zu bytes) at %#llx", vm->id, vm->name,
			 config_image_kind_name((enum vm_image_kind)kind), image->path.value, file->size,
			 (unsigned long long)image->load_addr.value);
		if (kind == VM_IMAGE_RAMDISK) {
			vm->initrd_start = image->load_addr.value;
			vm->initrd_end = image->load_addr.value + file->size;
		}
	}
	return config->kernel.images[VM_IMAGE_DTB].path.value ? 0 : vm_generate_dtb(vm);
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
	struct vm_boot_params params = {
		.cmdline = vm->config->kernel.cmdline.value,
		.initrd_start = vm->initrd_start,
		.initrd_end = vm->initrd_end,
	};
	int size = arch_vm_build_dtb(vm, &params, buf, max);
	if (size == -ENOTSUP) {
		kfree(buf);
		return 0;
	}
	if (size < 0) {
		log_error("VM[%u] %s: cannot build its device tree: %d", vm->id, vm->name, size);
		kfree(buf);
		return size;
	}
	const struct vm_image *dtb = &vm->config->kernel.images[VM_IMAGE_DTB];
	gpa_t at = dtb->load_addr.line ? dtb->load_addr.value
				       : ALIGN_DOWN(vm->ram[0].gpa + vm->ram[0].size - MiB(2), MiB(2));
	int err = vm_copy_to_guest(vm, at, buf, (size_t)size);
	kfree(buf);
	if (err < 0) {
		log_error("VM[%u] %s: no guest RAM for its device tree at %#llx", vm->id, vm->name, (unsigned long long)at);
		return err;
	}
	vm->dtb_address = at;
	log_info("VM[%u] %s: generated device tree (%d bytes) at %#llx", vm->id, vm->name, size, (unsigned long long)at);
	return 0;
}
