/* SPDX-License-Identifier: Apache-2.0 */
/* spilat_zcu102.c on QEMU's xlnx-zcu102 without a hypervisor: the floor beside it. */
#include "zcu102_bare.h"
#define BENCH_SPI_NAME "spi_bare"
#define SPILAT_BARE 1
#define SPILAT_CADENCE 1
#include "spilat.c"
