/* SPDX-License-Identifier: Apache-2.0 */
/* The Linux x86 64-bit boot protocol (Linux Documentation/arch/x86/boot.rst, "64-bit Boot
 * Protocol"), run after the images are loaded (arch_vm_prepare_boot): the bzImage sits at
 * kernel_load_addr as a file; its protected-mode kernel is moved down to that address (setup code
 * is not needed on this path), then the zero page (boot_params) gets the setup header, the command
 * line, the initrd, the e820 map and the RSDP; a GDT with __BOOT_CS 0x10 and __BOOT_DS 0x18 and
 * page tables identity-mapping the first 4 GiB are built in low guest memory; the boot vCPU then
 * starts in 64-bit mode at startup_64 with rsi = boot_params (arch_vcpu_init). A kernel that is
 * not a bzImage is left alone: the bare-metal start of docs/config.md applies. */
#include "virt/arch_vm.h"
#include "virt_impl/bzimage.h"
#include "virt_impl/guest_boot.h"
#include "vmm/vm.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "lib/errno.h"
#include "lib/string.h"

/* struct boot_params (the zero page, boot.rst "Details of header fields" and
 * Documentation/arch/x86/zero-page.rst): offsets of the fields Tessera fills. */
#define BP_ACPI_RSDP_ADDR 0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_E820_TABLE 0x2d0
#define BP_E820_MAX 128
#define E820_RAM 1
#define E820_ACPI 3

#define MOVE_CHUNK (64 * 1024)

static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

static int e820_add(uint8_t *bp, uint64_t start, uint64_t end, uint32_t type)
{
	unsigned n = bp[BP_E820_ENTRIES];
	if (end <= start)
		return 0;
	if (n >= BP_E820_MAX)
		return -ENOSPC;
	uint8_t *e = bp + BP_E820_TABLE + 20 * n;
	put64(e, start);
	put64(e + 8, end - start);
	put32(e + 16, type);
	bp[BP_E820_ENTRIES] = (uint8_t)(n + 1);
	return 0;
}

/* The VM's RAM regions in address order, less the legacy hole and the ACPI tables, which are
 * listed as ACPI data (boot.rst: the boot loader supplies the memory map; ACPI 6.4, 15.1). */
static int build_e820(struct vm *vm, uint8_t *bp)
{
	const struct vm_ram *sorted[VM_MAX_MEMORY_REGIONS];
	unsigned n = vm->ram_count;
	for (unsigned i = 0; i < n; i++) {
		unsigned j = i;
		for (; j > 0 && sorted[j - 1]->gpa > vm->ram[i].gpa; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = &vm->ram[i];
	}
	int err = 0;
	for (unsigned i = 0; i < n && !err; i++) {
		uint64_t start = sorted[i]->gpa, end = start + sorted[i]->size;
		if (start < LINUX_ACPI_GPA)
			err = e820_add(bp, start, MIN(end, LINUX_ACPI_GPA), E820_RAM);
		if (!err && end > LINUX_HIGH_RAM_START)
			err = e820_add(bp, MAX(start, LINUX_HIGH_RAM_START), end, E820_RAM);
	}
	return err ? err : e820_add(bp, LINUX_ACPI_GPA, LINUX_ACPI_GPA + LINUX_ACPI_SIZE, E820_ACPI);
}

/* The protected-mode kernel follows the setup code in the file: moved down to the load address,
 * front to back, which is safe for an overlapping move to a lower address. */
static int move_kernel(struct vm *vm, gpa_t load, const struct bzimage *bz)
{
	uint8_t *chunk = kmalloc(MOVE_CHUNK);
	if (!chunk)
		return -ENOMEM;
	int err = 0;
	for (uint32_t done = 0; done < bz->kernel_size && !err; done += MOVE_CHUNK) {
		size_t n = MIN((size_t)MOVE_CHUNK, (size_t)(bz->kernel_size - done));
		err = vm_copy_from_guest(vm, chunk, load + bz->setup_size + done, n);
		if (!err)
			err = vm_copy_to_guest(vm, load + done, chunk, n);
	}
	kfree(chunk);
	return err;
}

/* 4-level page tables identity-mapping 0-4 GiB with 2 MiB pages (present, writable, PS), enough
 * for the kernel, boot_params and the command line (boot.rst, 64-bit boot protocol). */
static int build_page_tables(struct vm *vm)
{
	uint8_t *pt = kzalloc(LINUX_PAGE_TABLES_SIZE);
	if (!pt)
		return -ENOMEM;
	const uint64_t pml4 = LINUX_PAGE_TABLES_GPA, pdpt = pml4 + 0x1000, pd = pml4 + 0x2000;
	put64(pt, pdpt | 0x3);
	for (unsigned i = 0; i < 4; i++) {
		put64(pt + 0x1000 + 8 * i, (pd + 0x1000 * i) | 0x3);
		for (unsigned j = 0; j < 512; j++)
			put64(pt + 0x2000 + 0x1000 * i + 8 * j, ((uint64_t)(i * 512 + j) << 21) | 0x83);
	}
	int err = vm_copy_to_guest(vm, pml4, pt, LINUX_PAGE_TABLES_SIZE);
	kfree(pt);
	return err;
}

static int linux_error(struct vm *vm, const char *what, uint64_t value)
{
	vm_log_error(vm, "Linux boot: %s (%#llx)", what, (unsigned long long)value);
	return -EINVAL;
}

static int build_boot_params(struct vm *vm, const uint8_t *image, const struct bzimage *bz, uint8_t *bp)
{
	const struct vm_config *config = vm->config;
	memcpy(bp + BZ_SETUP_SECTS, image + BZ_SETUP_SECTS, bz->header_end - BZ_SETUP_SECTS);
	bp[BZ_TYPE_OF_LOADER] = 0xff;              /* undefined loader (boot.rst) */
	bp[BZ_LOADFLAGS] |= BZ_LOADED_HIGH;
	const char *cmdline = config->kernel.cmdline.value ? config->kernel.cmdline.value : "";
	size_t length = strlen(cmdline);
	uint32_t max = MIN(bz->cmdline_size ? bz->cmdline_size : 255, (uint32_t)LINUX_CMDLINE_MAX - 1);
	if (length > max)
		return linux_error(vm, "the command line is longer than the kernel takes", length);
	if (vm_copy_to_guest(vm, LINUX_CMDLINE_GPA, cmdline, length + 1) < 0)
		return linux_error(vm, "no guest RAM for the command line", LINUX_CMDLINE_GPA);
	put32(bp + BZ_CMD_LINE_PTR, (uint32_t)LINUX_CMDLINE_GPA);
	put32(bp + BP_EXT_CMD_LINE_PTR, 0);
	if (vm->initrd_start) {
		uint64_t size = vm->initrd_end - vm->initrd_start;
		if (vm->initrd_end - 1 > bz->initrd_addr_max)
			return linux_error(vm, "the initrd ends above the kernel's initrd_addr_max", vm->initrd_end);
		put32(bp + BZ_RAMDISK_IMAGE, (uint32_t)vm->initrd_start);
		put32(bp + BZ_RAMDISK_SIZE, (uint32_t)size);
		put32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(vm->initrd_start >> 32));
		put32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)(size >> 32));
	}
	put64(bp + BP_ACPI_RSDP_ADDR, LINUX_ACPI_GPA); /* the RSDP opens the table area */
	int err = build_e820(vm, bp);
	return err < 0 ? linux_error(vm, "too many e820 entries", vm->ram_count) : 0;
}

static int build_gdt(struct vm *vm, struct linux_boot *boot)
{
	/* Null, null, __BOOT_CS (0x10: 64-bit code, flat) and __BOOT_DS (0x18: data, flat 4 GiB). */
	static const uint64_t gdt[4] = { 0, 0, 0x00af9b000000ffffULL, 0x00cf93000000ffffULL };
	boot->gdt_base = LINUX_GDT_GPA;
	boot->gdt_limit = sizeof(gdt) - 1;
	return vm_copy_to_guest(vm, LINUX_GDT_GPA, gdt, sizeof(gdt));
}

int arch_vm_prepare_boot(struct vm *vm)
{
	const struct vm_config *config = vm->config;
	const struct vm_image *kernel = &config->kernel.images[VM_IMAGE_KERNEL];
	struct linux_boot *boot = &vm->arch.linux_boot;
	boot->active = false;
	uint8_t *image = kmalloc(KERNEL_HEADER_BYTES);
	uint8_t *scratch = kzalloc(PAGE_SIZE > LINUX_ACPI_SIZE ? PAGE_SIZE : LINUX_ACPI_SIZE);
	int err = -ENOMEM;
	struct bzimage bz;
	if (!image || !scratch)
		goto out;
	err = 0;
	if (!kernel->path.value || vm_copy_from_guest(vm, image, vm->image_gpa[VM_IMAGE_KERNEL], KERNEL_HEADER_BYTES) < 0 ||
	    !bzimage_parse(image, KERNEL_HEADER_BYTES, &bz))
		goto out; /* not a bzImage: a bare-metal guest */
	gpa_t load = vm->image_gpa[VM_IMAGE_KERNEL];
	err = -EINVAL;
	/* entry_point = kernel_load_addr, as AxVisor's configs write it, means the protocol's entry. */
	gpa_t entry = vm->entry;
	if (entry != load && entry != load + BZ_ENTRY_64) {
		vm_log_error(vm, "kernel.entry_point %#llx: a bzImage starts at its 64-bit entry, kernel_load_addr + "
			     "0x200 (%#llx); entry_point = kernel_load_addr (%#llx) means the same",
			     (unsigned long long)entry, (unsigned long long)(load + BZ_ENTRY_64), (unsigned long long)load);
		goto out;
	}
	if (vm->initrd_start && vm->initrd_start < load + bzimage_footprint(&bz, load) && vm->initrd_end > load) {
		linux_error(vm, "the initrd overlaps where the kernel decompresses (init_size bytes)", vm->initrd_start);
		goto out;
	}
	err = move_kernel(vm, load, &bz);
	if (!err)
		err = build_boot_params(vm, image, &bz, scratch);
	if (!err && vm_copy_to_guest(vm, LINUX_BOOT_PARAMS_GPA, scratch, PAGE_SIZE) < 0)
		err = linux_error(vm, "no guest RAM for boot_params: the VM needs a RAM region at 0x0-0xa0000",
				  LINUX_BOOT_PARAMS_GPA);
	if (!err) {
		memset(scratch, 0, LINUX_ACPI_SIZE);
		size_t size = x86_guest_acpi_build(scratch, LINUX_ACPI_SIZE, LINUX_ACPI_GPA, vm->vcpu_count);
		if (!size || vm_copy_to_guest(vm, LINUX_ACPI_GPA, scratch, size) < 0)
			err = linux_error(vm, "cannot place the ACPI tables", LINUX_ACPI_GPA);
	}
	if (!err && (build_gdt(vm, boot) < 0 || build_page_tables(vm) < 0))
		err = linux_error(vm, "no guest RAM for the GDT and page tables", LINUX_GDT_GPA);
	if (!err) {
		boot->active = true;
		boot->entry = load + BZ_ENTRY_64;
		boot->boot_params = LINUX_BOOT_PARAMS_GPA;
		boot->cr3 = LINUX_PAGE_TABLES_GPA;
		vm_log_info(vm, "Linux boot protocol %u.%02u: kernel (%u bytes) at %#llx, init_size %#x, "
			    "boot_params at %#llx, ACPI at %#llx", bz.version >> 8, bz.version & 0xff,
			    bz.kernel_size, (unsigned long long)load, bz.init_size,
			    (unsigned long long)LINUX_BOOT_PARAMS_GPA, (unsigned long long)LINUX_ACPI_GPA);
	}
out:
	kfree(image);
	kfree(scratch);
	return err;
}
