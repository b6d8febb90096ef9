/* SPDX-License-Identifier: Apache-2.0 */
/* Tessera on aarch64: linked where a loader honouring the Linux arm64 Image header puts it
 * (RAM base 0x40000000 on QEMU virt + text_offset 0x80000). */
OUTPUT_ARCH(aarch64)
ENTRY(_start)

#ifndef TEXT_BASE
#define TEXT_BASE 0x40080000
#endif

SECTIONS
{
	. = TEXT_BASE;
	__image_start = .;
	.text : {
		KEEP(*(.text.head))
		*(.text .text.*)
	}
	.rodata : ALIGN(8) {
		*(.rodata .rodata.*)
	}
	.drivers : ALIGN(8) {
		__drivers_start = .;
		KEEP(*(.drivers))
		__drivers_end = .;
	}
	.data : ALIGN(8) {
		*(.data .data.*)
	}
	/* The loader copies everything up to here; BSS is cleared by head.S. */
	__image_load_end = .;
	.bss (NOLOAD) : ALIGN(16) {
		__bss_start = .;
		*(.bss .bss.* COMMON)
		. = ALIGN(16);
		__bss_end = .;
	}
	. = ALIGN(4096);
	__image_end = .;
	__image_size = __image_end - __image_start;
	/DISCARD/ : { *(.comment) *(.note*) *(.eh_frame*) }
}
