/* SPDX-License-Identifier: Apache-2.0 */
/* Driver registry: each driver puts a struct driver in the ".drivers" section, so the build
 * chooses which drivers exist (objects.mk) and the platform description chooses which one runs. */
#ifndef KERNEL_DRIVER_H
#define KERNEL_DRIVER_H

#include "lib/types.h"

enum driver_class { DRIVER_UART = 1, DRIVER_IRQCHIP = 2 };

struct driver {
	enum driver_class class;
	const char *name;
	const char *const *compatible; /* NULL-terminated device-tree compatible strings */
	const void *ops;               /* struct uart_ops or struct irqchip_ops */
};

#define DRIVER_REGISTER(var) \
	static const struct driver *const var##_entry __used __section(".drivers") = &(var)

const struct driver *driver_find(enum driver_class class, const char *compatible);

#endif
