/* SPDX-License-Identifier: Apache-2.0 */
/* The Linux arm64 Image header (Linux Documentation/arch/arm64/booting.rst, "Call the kernel
 * image"): code0/code1, text_offset at 8, image_size at 16 (BSS included; 0 in kernels before
 * 3.17, which also mean text_offset 0x80000), flags at 24, "ARM\x64" at 56. The image must sit at
 * a 2 MiB-aligned base plus text_offset. */
#include "virt/arch_vm.h"
#include "lib/string.h"

bool arch_kernel_layout(const void *header, size_t size, gpa_t load, struct kernel_layout *layout)
{
	const uint8_t *h = header;
	if (size < 64 || memcmp(h + 56, "ARM\x64", 4) != 0)
		return false;
	uint64_t image_size = load_le64(h + 16);
	layout->footprint = image_size;
	layout->alignment = MiB(2);
	layout->offset = image_size ? load_le64(h + 8) : 0x80000;
	return true;
}
