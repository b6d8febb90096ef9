/* SPDX-License-Identifier: Apache-2.0 */
/* Internals of the host tool tools/vmconfig (see main.c for its commands). */
#ifndef TOOLS_VMCONFIG_H
#define TOOLS_VMCONFIG_H

#include <stdio.h>

#include "vmm/config.h"

/* Prints `config` (parsed and valid) as TOML with every default filled in. */
void vmconfig_show(FILE *out, const struct vm_config *config);

/* `vmconfig platform BOARD.dtb`: prints what the hypervisor's bring-up finds in the tree and
 * "cannot drive: ..." for what it could not use; 0, 1 when something could not be driven, 2 when
 * the file is no device tree with CPUs. */
int vmconfig_platform(const char *path);

/* A board's device tree for `vmconfig check --platform BOARD.dtb`. */
struct vmconfig_board {
	const char *path;
	void *tree;
};
/* Reads the tree and fills platform from it as the hypervisor's bring-up would (CPUs and their
 * hardware ids, RAM when the tree has it); -1 after a message. */
int vmconfig_board_load(struct vmconfig_board *board, const char *path, struct config_platform *platform);
/* Reports, on the config's lines, passthrough and excluded paths the tree does not have,
 * passthrough windows that are no node's and interrupts that are not that node's. */
void vmconfig_board_check(const struct vmconfig_board *board, const struct vm_config *config,
			  struct config_reporter *reporter);
/* Reports each device of the board two of the configs would both be given (a path's subtree, less
 * what that config excludes, or a window's node), on the line of the config that names it. */
void vmconfig_board_check_owners(const struct vmconfig_board *board, const struct vm_config *configs, size_t count,
				 struct config_reporter *reporter);

#endif
