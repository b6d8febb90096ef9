/* SPDX-License-Identifier: Apache-2.0 */
/* spilat.c on QEMU's virt machine without a hypervisor (EL1, QEMU's own GICv3 and PL011): the
 * floor that bench/aarch64/run.sh sets Tessera's passed-through interrupt latency against. */
#define BENCH_SPI_NAME "spi_bare"
#define SPILAT_BARE 1 /* no hypervisor to ask for a boot count: no reset */
#include "spilat.c"
