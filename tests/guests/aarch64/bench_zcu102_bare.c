/* SPDX-License-Identifier: Apache-2.0 */
/* bench.c's virtual-timer latency on QEMU's xlnx-zcu102 without a hypervisor (EL1, the board's
 * GIC-400): the floor of `make bench PLATFORM=zcu102`. */
#include "zcu102_bare.h"
#define BENCH_BARE_MACHINE 1
#include "bench.c"
