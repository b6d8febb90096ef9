/* SPDX-License-Identifier: Apache-2.0 */
/* The boot information a Multiboot loader gives (Multiboot 0.6.96, 3.3): the BIOS memory map
 * becomes boot_info.ram, and what the loader placed in memory (its information block, the map, the
 * command line, modules) becomes boot_info.reserved, so the frame allocator leaves it alone. */
#include "arch_impl/multiboot.h"
#include "arch_impl/setup.h"
#include "lib/errno.h"
#include "lib/string.h"

#define LOW_MEMORY_END MiB(1)
#define CMDLINE_MAX 256

static char cmdline_copy[CMDLINE_MAX];

static void add_ram(struct boot_info *info, uint64_t base, uint64_t length)
{
	/* Whole pages only: the firmware's map is byte-granular (e.g. RAM ends at 0x9fc00). */
	uint64_t start = ALIGN_UP(base, PAGE_SIZE);
	uint64_t end = ALIGN_DOWN(base + length, PAGE_SIZE);
	if (end <= start || info->ram_count >= MAX_MEM_REGIONS)
		return;
	info->ram[info->ram_count++] = (struct mem_region){ start, end - start, "RAM" };
}

/* Everything below 1 MiB is reserved as a whole (below), so only what lies above it is listed. */
static void reserve(struct boot_info *info, uint64_t base, uint64_t size, const char *name)
{
	if (size == 0 || base + size <= LOW_MEMORY_END)
		return;
	platform_add_reserved(info, base, size, name);
}

/* The loader's command line starts with the image's path (QEMU and GRUB both pass it); the
 * hypervisor's own command line is what follows. */
static const char *copy_cmdline(const char *loader_cmdline)
{
	const char *s = loader_cmdline;
	while (*s && *s != ' ')
		s++;
	while (*s == ' ')
		s++;
	size_t len = strnlen(s, CMDLINE_MAX - 1);
	memcpy(cmdline_copy, s, len);
	cmdline_copy[len] = '\0';
	return cmdline_copy;
}

int x86_multiboot_parse(struct boot_info *info, uint32_t magic, uint32_t info_address)
{
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC || info_address == 0)
		return -EINVAL;
	const struct multiboot_info *mbi = (const void *)(uintptr_t)info_address;

	if (mbi->flags & MULTIBOOT_INFO_MMAP) {
		uint64_t at = mbi->mmap_addr, end = (uint64_t)mbi->mmap_addr + mbi->mmap_length;
		while (at + sizeof(struct multiboot_mmap_entry) <= end) {
			const struct multiboot_mmap_entry *e = (const void *)(uintptr_t)at;
			if (e->type == MULTIBOOT_MEMORY_AVAILABLE)
				add_ram(info, e->base, e->length);
			at += e->size + sizeof(e->size);
		}
		reserve(info, mbi->mmap_addr, mbi->mmap_length, "multiboot memory map");
	} else if (mbi->flags & MULTIBOOT_INFO_MEMORY) {
		add_ram(info, 0, KiB(mbi->mem_lower));
		add_ram(info, LOW_MEMORY_END, KiB(mbi->mem_upper));
	} else {
		return -ENODEV;
	}

	/* The real-mode world: interrupt vectors, BIOS data, EBDA, the AP trampoline page, option ROMs.
	 * Keeping all of it out of the allocator costs at most 640 KiB. */
	platform_add_reserved(info, 0, LOW_MEMORY_END, "BIOS, AP trampoline");
	reserve(info, info_address, MULTIBOOT_INFO_SIZE, "multiboot info");

	if (mbi->flags & MULTIBOOT_INFO_CMDLINE) {
		const char *loader_cmdline = (const char *)(uintptr_t)mbi->cmdline;
		reserve(info, mbi->cmdline, strlen(loader_cmdline) + 1, "multiboot command line");
		info->cmdline = copy_cmdline(loader_cmdline);
	}
	if (mbi->flags & MULTIBOOT_INFO_MODULES) {
		const struct multiboot_module *mods = (const void *)(uintptr_t)mbi->mods_addr;
		reserve(info, mbi->mods_addr, mbi->mods_count * sizeof(*mods), "multiboot modules");
		for (uint32_t i = 0; i < mbi->mods_count; i++)
			reserve(info, mods[i].start, mods[i].end - mods[i].start, "module");
	}
	return info->ram_count ? 0 : -ENODEV;
}
