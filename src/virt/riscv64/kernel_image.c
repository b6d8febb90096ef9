/* SPDX-License-Identifier: Apache-2.0 */
/* The Linux RISC-V Image header (Linux Documentation/arch/riscv/boot-image-header.rst):
 * text_offset at 8, image_size at 16 (BSS included), "RSC\x05" at 56. Unlike arm64's, RISC-V's
 * text_offset (2 MiB on RV64) is only the distance from the start of RAM a loader should leave
 * below the kernel (room OpenSBI used to take); the kernel itself needs a 2 MiB-aligned address,
 * since it maps itself with PMD-sized pages (Documentation/arch/riscv/boot.rst, "Kernel
 * location"). So the placement rule is a multiple of 2 MiB, no offset. */
#include "virt/arch_vm.h"
#include "lib/string.h"

bool arch_kernel_layout(const void *header, size_t size, gpa_t load, struct kernel_layout *layout)
{
	const uint8_t *h = header;
	if (size < 64 || memcmp(h + 56, "RSC\x05", 4) != 0)
		return false;
	layout->footprint = load_le64(h + 16);
	layout->alignment = MiB(2);
	layout->offset = 0;
	return true;
}
