/* SPDX-License-Identifier: Apache-2.0 */
/* Tessera riscv64 image layout. OpenSBI's fw_dynamic jumps to 0x80200000 (the first 2 MiB of
 * RAM belong to the firmware); _start must be the image's first byte. */
OUTPUT_ARCH(riscv)
ENTRY(_start)

SECTIONS
{
	. = 0x80200000;
	__image_start = .;

	.text : {
		KEEP(*(.text.entry))
		*(.text .text.*)
	}

	/* No page boundaries between the sections: the hypervisor maps all of RAM rwx (mmu.c), so
	 * padding them out would only grow the file. */
	.rodata : {
		*(.rodata .rodata.* .srodata .srodata.*)
	}

	/* Driver registry (kernel/driver.h): an array of const struct driver *. */
	.drivers : ALIGN(8) {
		__drivers_start = .;
		KEEP(*(.drivers))
		__drivers_end = .;
	}

	/* Guarded instructions (arch_impl/trap.h, probe.S). */
	.ex_table : ALIGN(8) {
		__ex_table_start = .;
		KEEP(*(.ex_table))
		__ex_table_end = .;
	}

	.data : {
		*(.data .data.* .sdata .sdata.*)
	}

	.bss (NOLOAD) : ALIGN(16) {
		__bss_start = .;
		*(.bss .bss.* .sbss .sbss.* COMMON)
		. = ALIGN(16);
		__bss_end = .;
	}

	. = ALIGN(4096);
	__image_end = .;

	/DISCARD/ : {
		*(.comment)
		*(.note .note.*)
		*(.eh_frame .eh_frame_hdr)
	}
}
