/* SPDX-License-Identifier: Apache-2.0 */
/* Internals of the host tool tools/vmconfig (see main.c for its commands). */
#ifndef TOOLS_VMCONFIG_H
#define TOOLS_VMCONFIG_H

#include <stdio.h>

#include "vmm/config.h"

/* Prints `config` (parsed and valid) as TOML with every default filled in. */
void vmconfig_show(FILE *out, const struct vm_config *config);

#endif
