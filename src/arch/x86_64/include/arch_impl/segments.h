/* SPDX-License-Identifier: Apache-2.0 */
/* The GDT layout shared by the multiboot entry, the AP trampoline and gdt.c (AMD APM vol. 2,
 * 4.8: long-mode segment descriptors). Included by assembly. */
#ifndef ARCH_IMPL_SEGMENTS_H
#define ARCH_IMPL_SEGMENTS_H

#define SELECTOR_CODE64 0x08
#define SELECTOR_DATA 0x10
#define SELECTOR_CODE32 0x18 /* flat 32-bit code: the entry and the AP trampoline, before long mode */
#define SELECTOR_TSS_FIRST 0x20 /* then one 16-byte TSS descriptor per CPU */

#define GDT_FIXED_ENTRIES 4

#endif
