/* SPDX-License-Identifier: Apache-2.0 */
/* The Multiboot 0.6.96 information structure the loader hands over in EBX (Multiboot
 * specification, 3.3 "Boot information format"). Only the fields Tessera reads. */
#ifndef ARCH_IMPL_MULTIBOOT_H
#define ARCH_IMPL_MULTIBOOT_H

#define MULTIBOOT_HEADER_MAGIC 0x1badb002
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2badb002
#define MULTIBOOT_HEADER_PAGE_ALIGN (1 << 0) /* modules on page boundaries */
#define MULTIBOOT_HEADER_MEMORY_INFO (1 << 1) /* mem_* and mmap_* wanted */

#ifndef __ASSEMBLY__
#include "lib/types.h"

#define MULTIBOOT_INFO_MEMORY (1u << 0)
#define MULTIBOOT_INFO_CMDLINE (1u << 2)
#define MULTIBOOT_INFO_MODULES (1u << 3)
#define MULTIBOOT_INFO_MMAP (1u << 6)

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper; /* KiB below 1 MiB, KiB from 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
} __packed;

struct multiboot_module {
	uint32_t start, end;
	uint32_t cmdline;
	uint32_t reserved;
} __packed;

/* 'size' counts the bytes after itself, so entries are walked by size + 4. */
struct multiboot_mmap_entry {
	uint32_t size;
	uint64_t base;
	uint64_t length;
	uint32_t type; /* 1 = available RAM */
} __packed;

#define MULTIBOOT_MEMORY_AVAILABLE 1
/* The whole information structure, through the framebuffer fields (3.3), of which Tessera reads
 * only the start. */
#define MULTIBOOT_INFO_SIZE 116
#endif

#endif
