/* SPDX-License-Identifier: Apache-2.0 */
/* spilat.c for the ZCU102 (`make bench PLATFORM=zcu102`): the board's second Cadence UART and its
 * SPI passed through (spilat_zcu102.toml), a vGICv2. */
#define GUEST_GICV2 1
#define SPILAT_CADENCE 1
#include "spilat.c"
