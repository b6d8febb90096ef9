/* SPDX-License-Identifier: Apache-2.0 */
/* PSCI calls from EL2 (Arm DEN0022 "Power State Coordination Interface", 5.x function IDs).
 * At EL2 the conduit must be SMC: an HVC would trap to Tessera itself. */
#ifndef ARCH_IMPL_PSCI_H
#define ARCH_IMPL_PSCI_H

#include "lib/types.h"

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_ON_64 0xc4000003u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u

#define PSCI_SUCCESS 0
#define PSCI_ALREADY_ON (-4)

__must_check int64_t psci_call(uint32_t function, uint64_t a1, uint64_t a2, uint64_t a3);
/* Reads the conduit ("smc"/"hvc") from the device tree's /psci node. */
void psci_init(const void *fdt);

#endif
