/* SPDX-License-Identifier: Apache-2.0 */
/* bench.c for the ZCU102 (`make bench PLATFORM=zcu102`): the same figures through a vGICv2. */
#define GUEST_GICV2 1
#include "bench.c"
