/* SPDX-License-Identifier: Apache-2.0 */
/* Device-tree passthrough on a machine without a device tree (x86_64, whose devices are passed by
 * window, port and GSI): no node is ever passed (vm_devices.c refuses a config that names a path
 * when the host has no tree). Built instead of dt_passthrough.c where the build has no FDT
 * platform (objects.mk). */
#include "vmm/dt_passthrough.h"
#include "lib/string.h"

int dt_passthrough_select(struct dt_passthrough *p, const void *fdt, const struct vm_config *config,
			  const struct dt_passthrough_rules *rules)
{
	(void)fdt;
	(void)config;
	(void)rules;
	memset(p, 0, sizeof(*p));
	return 0;
}

void dt_passthrough_free(struct dt_passthrough *p)
{
	(void)p;
}

bool dt_passthrough_is_passed(const struct dt_passthrough *p, unsigned i)
{
	(void)p;
	(void)i;
	return false;
}

unsigned dt_passthrough_windows(const struct dt_passthrough *p, unsigned i, const struct dt_range **windows)
{
	(void)p;
	(void)i;
	*windows = NULL;
	return 0;
}

int dt_passthrough_for_each_interrupt(const struct dt_passthrough *p, int (*fn)(void *ctx, int node, const void *specifier),
				      void *ctx)
{
	(void)p;
	(void)fn;
	(void)ctx;
	return 0;
}

void dt_passthrough_write(const struct dt_passthrough *p, struct fdt_writer *w)
{
	(void)p;
	(void)w;
}
