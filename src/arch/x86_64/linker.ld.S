/* SPDX-License-Identifier: Apache-2.0 */
/* Tessera on x86_64: linked and loaded at 2 MiB, identity mapped. The multiboot header comes first
 * so it sits in the first 8 KiB of the file (Multiboot 0.6.96, 3.1.1); the loader enters at
 * multiboot_entry in 32-bit protected mode. */
OUTPUT_FORMAT("elf64-x86-64")
ENTRY(multiboot_entry)

SECTIONS
{
	. = 0x200000;
	__image_start = .;

	.text : {
		KEEP(*(.multiboot))
		*(.text.entry32)
		*(.text .text.*)
	}

	. = ALIGN(4096);
	.rodata : {
		*(.rodata .rodata.*)
	}

	. = ALIGN(4096);
	.data : {
		*(.data .data.*)
	}

	. = ALIGN(8);
	.drivers : {
		__drivers_start = .;
		KEEP(*(.drivers))
		__drivers_end = .;
	}

	. = ALIGN(4096);
	.bss (NOLOAD) : {
		__bss_start = .;
		*(.bss .bss.*)
		*(COMMON)
		. = ALIGN(4096);
		__bss_end = .;
	}

	. = ALIGN(4096);
	__image_end = .;

	/DISCARD/ : {
		*(.comment)
		*(.note*)
		*(.eh_frame*)
	}
}
