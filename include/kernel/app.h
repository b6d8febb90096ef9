/* SPDX-License-Identifier: Apache-2.0 */
/* The runtime's contract with what runs on it. Once every CPU is online and has passed the boot
 * checks, the kernel's main task (pinned to CPU 0, may sleep) calls app_main(); when it returns,
 * the machine powers off. Implemented above the kernel, by src/main.c, so that the kernel never
 * names the VMM. */
#ifndef KERNEL_APP_H
#define KERNEL_APP_H

#include "lib/types.h"

void app_main(void);
/* Whether the hypervisor's command line (device tree bootargs, multiboot cmdline) has this word,
 * such as "tessera.shell=off". */
bool boot_option(const char *word);

#endif
