/* SPDX-License-Identifier: Apache-2.0 */
/* The host's RISC-V AIA (drivers/irq/aia.c), as the guest side sees it: the guest interrupt files
 * of each hart's IMSIC, which a vCPU uses as its own interrupt file (AIA 1.0, chapter 6). */
#ifndef DRIVERS_AIA_H
#define DRIVERS_AIA_H
#include "lib/types.h"

/* Guest interrupt files per hart (GEILEN; 0 when the host has no IMSIC, e.g. a PLIC machine). */
unsigned aia_guest_files(void);
/* The highest identity of an interrupt file: they are 1 .. aia_num_ids() (the IMSIC's riscv,num-ids). */
unsigned aia_num_ids(void);
/* The 4 KiB page of guest file `file` (1..aia_guest_files()) of a CPU's hart: writing an identity
 * to its first word makes it pending there (AIA 1.0, 3.5 seteipnum_le). 0 if there is none. */
paddr_t aia_guest_file_page(unsigned cpu_index, unsigned file);

#endif
