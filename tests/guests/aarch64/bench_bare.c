/* SPDX-License-Identifier: Apache-2.0 */
/* bench.c's virtual-timer latency on QEMU's virt machine without a hypervisor (EL1, QEMU's own
 * GICv3 and PSCI over HVC): the floor that bench/aarch64/run.sh sets Tessera's figure against. */
#define BENCH_BARE_MACHINE 1
#include "bench.c"
