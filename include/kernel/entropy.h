/* SPDX-License-Identifier: Apache-2.0 */
/* Tessera's entropy pool: seeded at boot from what the firmware leaves in the device tree
 * (/chosen/rng-seed, Devicetree Specification 0.4 3.6 and Linux's chosen.yaml), it hands every
 * guest a seed of its own for its device tree, so a guest kernel starts with its random-number
 * generator ready instead of collecting entropy from its own timing for its first second. */
#ifndef KERNEL_ENTROPY_H
#define KERNEL_ENTROPY_H

#include "lib/types.h"

/* Takes the seed the boot device tree carries, if any (fdt may be NULL). */
void entropy_init(const void *fdt);
/* Fills buf with bytes no other caller gets, from a generator re-keyed after every call (so
 * what was handed out cannot be recomputed from a later state). false, and nothing written, when
 * the pool was never seeded. */
bool entropy_get(void *buf, size_t len);

#endif
