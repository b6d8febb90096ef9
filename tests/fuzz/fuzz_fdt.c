/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the device-tree reader: any blob that passes fdt_check must be walkable
 * node by node and property by property, and platform discovery must terminate, all without
 * reading outside the blob (ASan) or undefined behaviour (UBSan). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/platform.h"
#include "lib/fdt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Its own aligned copy, sized exactly: reads past the end are caught. */
	uint8_t *blob = malloc(size ? size : 1);
	memcpy(blob, data, size);
	if (fdt_check(blob, size) == 0) {
		int depth = 0, guard = 0;
		for (int node = fdt_next_node(blob, -1, &depth); node >= 0 && guard < 4096;
		     node = fdt_next_node(blob, node, &depth), guard++) {
			int len;
			(void)fdt_node_name(blob, node);
			(void)fdt_getprop(blob, node, "compatible", &len);
			(void)fdt_node_is_available(blob, node);
			uint64_t address, reg_size;
			(void)fdt_get_reg(blob, node, 0, &address, &reg_size);
			(void)fdt_translate_reg(blob, node, 0, &address, &reg_size);
			int props = 0;
			for (int p = fdt_first_property(blob, node); p >= 0 && props < 4096; p = fdt_next_property(blob, p), props++) {
				const char *name;
				(void)fdt_property_at(blob, p, &name, &len);
			}
			(void)fdt_first_child(blob, node);
			(void)fdt_next_sibling(blob, node);
		}
		(void)fdt_path_offset(blob, "/cpus/cpu@0");
		(void)fdt_find_phandle(blob, 1);
		(void)fdt_max_phandle(blob);
		struct boot_info info;
		memset(&info, 0, sizeof(info));
		(void)platform_from_fdt(&info, blob, 0);
	}
	free(blob);
	return 0;
}
