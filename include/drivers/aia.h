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

/* A host source given to a guest outright (AIA 1.0, 4.5.16: a target's Guest Index): its
 * messages go to guest file `file` of CPU `cpu_index`'s hart as identity `eiid`, in source mode
 * `mode` (4.5.2: 0 inactive, 1 detached, 4-7 edges and levels), enabled or not, with no
 * hypervisor in the way. A level source still asserted when enabled is made pending again. */
void aia_source_to_guest(unsigned source, unsigned cpu_index, unsigned file, unsigned eiid, unsigned mode, bool enabled);
/* The source is the hypervisor's again: level-high, disabled; irq_enable() targets its own file. */
void aia_source_to_host(unsigned source);
/* The guest's setipnum / clripnum for a source it has outright: the APLIC applies its own rules
 * (a level source becomes pending only while asserted, 4.7). */
void aia_source_set_pending(unsigned source, bool pending);
/* Its pending bit and its rectified input (setip, in_clrip: 4.5.5, 4.5.7). */
bool aia_source_pending(unsigned source);
bool aia_source_input(unsigned source);

#endif
