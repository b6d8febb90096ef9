/* Long-mode 4-level paging (AMD APM vol. 2, 5.3: page-translation entries). Included by assembly. */
#ifndef ARCH_IMPL_PAGING_H
#define ARCH_IMPL_PAGING_H

#include "arch_impl/bits.h"

#define PTE_PRESENT BIT(0)
#define PTE_WRITABLE BIT(1)
#define PTE_WRITE_THROUGH BIT(3) /* PWT */
#define PTE_CACHE_DISABLE BIT(4) /* PCD: with PWT, the default PAT gives UC (APM vol. 2, 7.8.2) */
#define PTE_LARGE BIT(7)         /* PS in a PDPTE (1 GiB) or PDE (2 MiB) */
#define PTE_GLOBAL BIT(8)
#ifndef __ASSEMBLY__
#define PTE_NO_EXECUTE BIT(63)
#define PTE_ADDRESS_MASK 0x000ffffffffff000UL
#endif

#define CR0_PE BIT(0)
#define CR0_WP BIT(16)
#define CR0_PG BIT(31)
#define CR4_PAE BIT(5)
#define CR4_PGE BIT(7)

#endif
