/* SPDX-License-Identifier: Apache-2.0 */
/* Driver lookup over the ".drivers" section the linker script brackets. */
#include "kernel/driver.h"
#include "lib/string.h"

extern const struct driver *const __drivers_start[];
extern const struct driver *const __drivers_end[];

const struct driver *driver_find(enum driver_class class, const char *compatible)
{
	/* cppcheck-suppress comparePointers ; linker.ld.S puts both symbols around the one .drivers section */
	for (const struct driver *const *d = __drivers_start; d < __drivers_end; d++) {
		if ((*d)->class != class)
			continue;
		for (const char *const *c = (*d)->compatible; c && *c; c++)
			if (strcmp(*c, compatible) == 0)
				return *d;
	}
	return NULL;
}
