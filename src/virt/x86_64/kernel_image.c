/* SPDX-License-Identifier: Apache-2.0 */
/* Kernel image headers on x86_64: the Linux bzImage setup header (Linux
 * Documentation/arch/x86/boot.rst). A bare-metal binary has none and is loaded as it is. */
#include "virt/arch_vm.h"
#include "virt_impl/bzimage.h"
#include "lib/string.h"

static uint32_t le32(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

bool bzimage_parse(const uint8_t *image, size_t size, struct bzimage *out)
{
	if (size < BZ_HEADER_END_MIN || le16(image + BZ_BOOT_FLAG) != 0xaa55 || le32(image + BZ_HEADER_MAGIC) != BZ_MAGIC)
		return false;
	uint16_t version = le16(image + BZ_VERSION);
	if (version < BZ_MIN_VERSION || !(le16(image + BZ_XLOADFLAGS) & BZ_XLF_KERNEL_64))
		return false;
	/* "If this field is 0, the real value is 4" (boot.rst); plus the boot sector itself. */
	unsigned sects = image[BZ_SETUP_SECTS] ? image[BZ_SETUP_SECTS] : 4;
	*out = (struct bzimage){
		.version = version,
		.setup_size = (sects + 1) * 512,
		.kernel_size = le32(image + BZ_SYSSIZE) * 16,
		.kernel_alignment = le32(image + BZ_KERNEL_ALIGNMENT),
		.relocatable = image[BZ_RELOCATABLE] != 0,
		.pref_address = le32(image + BZ_PREF_ADDRESS) | (uint64_t)le32(image + BZ_PREF_ADDRESS + 4) << 32,
		.init_size = le32(image + BZ_INIT_SIZE),
		.initrd_addr_max = le32(image + BZ_INITRD_ADDR_MAX),
		.cmdline_size = le32(image + BZ_CMDLINE_SIZE),
		/* The header ends at 0x202 plus the jump's displacement byte (boot.rst, 64-bit boot). */
		.header_end = 0x202u + image[BZ_JUMP + 1],
	};
	if (out->header_end > size)
		out->header_end = (uint32_t)size;
	return out->kernel_size && out->init_size >= out->kernel_size;
}

/* Tessera moves the protected-mode kernel down to kernel_load_addr (linux_boot.c), 0x100000 in
 * the protocol's default and QEMU's. Any address will do: a relocatable kernel "loaded at an
 * alignment incompatible with [kernel_alignment] will be realigned during kernel initialization",
 * and a non-relocatable one "will unconditionally move itself" to pref_address (boot.rst). Where it
 * decompresses to is what needs RAM: its startup_64 (arch/x86/boot/compressed/head_64.S) takes the
 * load address aligned up to kernel_alignment, or pref_address (LOAD_PHYSICAL_ADDR) if that is
 * higher or the kernel is not relocatable, and needs init_size bytes from there. */
uint64_t bzimage_footprint(const struct bzimage *bz, gpa_t load)
{
	uint64_t output = bz->pref_address;
	if (bz->relocatable && bz->kernel_alignment) {
		uint64_t aligned = (load + bz->kernel_alignment - 1) / bz->kernel_alignment * bz->kernel_alignment;
		output = MAX(aligned, bz->pref_address);
	}
	return MAX(output, load) + bz->init_size - load;
}

bool arch_kernel_layout(const void *header, size_t size, gpa_t load, struct kernel_layout *layout)
{
	struct bzimage bz;
	if (!bzimage_parse(header, size, &bz))
		return false;
	*layout = (struct kernel_layout){ .footprint = bzimage_footprint(&bz, load), .preferred = 0x100000 };
	return true;
}
