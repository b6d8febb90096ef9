/* SPDX-License-Identifier: Apache-2.0 */
/* The Linux x86 boot protocol (Linux Documentation/arch/x86/boot.rst): what Tessera reads from a
 * bzImage's setup header, and where the 64-bit boot path keeps its state. */
#ifndef ARCH_IMPL_BZIMAGE_H
#define ARCH_IMPL_BZIMAGE_H

#include "lib/types.h"

/* Setup header fields, as offsets from the start of the image (boot.rst, "The real-mode kernel
 * header"); the zero page (struct boot_params) holds the same header at the same offsets. */
#define BZ_SETUP_SECTS 0x1f1
#define BZ_SYSSIZE 0x1f4
#define BZ_BOOT_FLAG 0x1fe
#define BZ_JUMP 0x200
#define BZ_HEADER_MAGIC 0x202
#define BZ_VERSION 0x206
#define BZ_TYPE_OF_LOADER 0x210
#define BZ_LOADFLAGS 0x211
#define BZ_RAMDISK_IMAGE 0x218
#define BZ_RAMDISK_SIZE 0x21c
#define BZ_CMD_LINE_PTR 0x228
#define BZ_INITRD_ADDR_MAX 0x22c
#define BZ_KERNEL_ALIGNMENT 0x230
#define BZ_RELOCATABLE 0x234
#define BZ_XLOADFLAGS 0x236
#define BZ_CMDLINE_SIZE 0x238
#define BZ_PREF_ADDRESS 0x258
#define BZ_INIT_SIZE 0x260
#define BZ_HEADER_END_MIN 0x268

#define BZ_MAGIC 0x53726448u  /* "HdrS" */
#define BZ_XLF_KERNEL_64 0x1u
#define BZ_LOADED_HIGH 0x1u
#define BZ_MIN_VERSION 0x020c /* 2.12: xloadflags; every 64-bit kernel since 3.8 has it */
#define BZ_ENTRY_64 0x200     /* startup_64, from the protected-mode kernel's start */

struct bzimage {
	uint16_t version;
	uint32_t setup_size;      /* bytes of real-mode code before the protected-mode kernel */
	uint32_t kernel_size;     /* bytes of the protected-mode kernel (syssize * 16) */
	uint32_t kernel_alignment;
	bool relocatable;
	uint64_t pref_address;
	uint32_t init_size;       /* memory the kernel needs from its load address to decompress */
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;
	uint32_t header_end;      /* the setup header copied into boot_params ends here */
};

/* Parses a bzImage's setup header; false when the bytes are not a 64-bit-capable bzImage of
 * protocol 2.12 or later (the caller treats it as a bare-metal binary). */
bool bzimage_parse(const uint8_t *image, size_t size, struct bzimage *out);
/* Bytes from load that the kernel loaded there needs once it runs: up to the end of the buffer it
 * decompresses into (kernel_image.c says where that is). */
uint64_t bzimage_footprint(const struct bzimage *bz, gpa_t load);

#endif
