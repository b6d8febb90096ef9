/* SPDX-License-Identifier: Apache-2.0 */
/* PSCI conduit (see arch_impl/psci.h). SMC Calling Convention (Arm DEN0028): function ID in
 * w0, arguments in x1-x3, result in x0. */
#include "arch_impl/psci.h"
#include "lib/fdt.h"
#include "lib/string.h"

static bool use_hvc;

void psci_init(const void *fdt)
{
	int node = fdt_find_compatible(fdt, -1, "arm,psci-1.0");
	if (node < 0)
		node = fdt_find_compatible(fdt, -1, "arm,psci-0.2");
	if (node < 0)
		node = fdt_find_compatible(fdt, -1, "arm,psci");
	int len;
	const char *method = node >= 0 ? fdt_getprop(fdt, node, "method", &len) : NULL;
	use_hvc = method && strcmp(method, "hvc") == 0;
}

int64_t psci_call(uint32_t function, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = function;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	if (use_hvc)
		__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	else
		__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return (int64_t)x0;
}
