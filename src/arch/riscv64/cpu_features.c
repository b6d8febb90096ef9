/* SPDX-License-Identifier: Apache-2.0 */
/* What the boot hart offers. S-mode cannot read misa (privileged spec 20211203, 3.1.1 is an
 * M-mode CSR), so the device tree's "riscv,isa" string of the boot hart (Linux binding
 * Documentation/devicetree/bindings/riscv/cpus.yaml; newer trees add "riscv,isa-extensions")
 * says what the hart claims, and a guarded read of a CSR says what actually works:
 *  - H extension: hgatp (chapter 8) exists only with it;
 *  - Sstc: stimecmp (CSR 0x14d) is reachable only when M-mode set menvcfg.STCE.
 * The CSR probe is authoritative; the string is reported for the user. */
#include "arch/boot.h"
#include "arch_impl/riscv.h"
#include "arch_impl/sbi.h"
#include "kernel/console.h"
#include "kernel/log.h"
#include "lib/fdt.h"
#include "lib/format.h"
#include "lib/string.h"

#define ISA_STRING_MAX 128

static char isa_string[ISA_STRING_MAX];
static uint64_t boot_hart;
static bool dt_lists_h, dt_lists_sstc, hgatp_works, stimecmp_works;

/* The cpu node under /cpus whose reg is hartid, or a negative error. */
static int find_cpu_node(const void *fdt, uint64_t hartid)
{
	int cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0)
		return cpus;
	for (int node = fdt_first_child(fdt, cpus); node >= 0; node = fdt_next_sibling(fdt, node)) {
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		uint64_t reg, size;
		if (type && strcmp(type, "cpu") == 0 && fdt_get_reg(fdt, node, 0, &reg, &size) == 0 &&
		    reg == hartid)
			return node;
	}
	return -1;
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* "rv64imafdch_zicsr_sstc": single-letter extensions run from after "rv64" to the first '_';
 * multi-letter ones are the '_'-separated tokens after it. */
static void parse_isa_string(const char *isa)
{
	size_t len = strlen(isa);
	size_t i = (len >= 4 && lower(isa[0]) == 'r' && lower(isa[1]) == 'v') ? 4 : 0;
	for (; i < len && isa[i] != '_'; i++) {
		if (lower(isa[i]) == 'h')
			dt_lists_h = true;
	}
	while (i < len) {
		size_t start = ++i;
		while (i < len && isa[i] != '_')
			i++;
		if (i - start == 4 && lower(isa[start]) == 's' && lower(isa[start + 1]) == 's' &&
		    lower(isa[start + 2]) == 't' && lower(isa[start + 3]) == 'c')
			dt_lists_sstc = true;
	}
}

/* "riscv,isa-extensions": a string list with one entry per extension ("h", "sstc"). */
static void parse_isa_extensions(const char *list, int len)
{
	for (int at = 0; at < len;) {
		const char *entry = list + at;
		size_t n = strnlen(entry, (size_t)(len - at));
		if (n == 1 && lower(entry[0]) == 'h')
			dt_lists_h = true;
		if (n == 4 && strncmp(entry, "sstc", 4) == 0)
			dt_lists_sstc = true;
		at += (int)n + 1;
	}
}

void riscv_features_init(const void *fdt, uint64_t boot_hartid)
{
	unsigned long value;
	boot_hart = boot_hartid;
	int node = find_cpu_node(fdt, boot_hartid);
	if (node >= 0) {
		int len;
		const char *isa = fdt_getprop(fdt, node, "riscv,isa", &len);
		if (isa && len > 0 && isa[len - 1] == '\0') {
			size_t n = MIN((size_t)len, sizeof(isa_string) - 1);
			memcpy(isa_string, isa, n);
			isa_string[n] = '\0';
			parse_isa_string(isa_string);
		}
		const char *extensions = fdt_getprop(fdt, node, "riscv,isa-extensions", &len);
		if (extensions && len > 0)
			parse_isa_extensions(extensions, len);
	}
	if (!isa_string[0])
		memcpy(isa_string, "(no riscv,isa in the device tree)", 34);
	hgatp_works = riscv_probe_hgatp(&value) == 0;
	stimecmp_works = riscv_probe_stimecmp(&value) == 0;
}

bool riscv_has_sstc(void)
{
	return stimecmp_works;
}

bool arch_virtualization_supported(const char **why)
{
	const struct sbi_info *sbi = sbi_get_info();
	console_printf("boot hart = %lu\n", (unsigned long)boot_hart);
	console_printf("riscv,isa = %s\n", isa_string);
	console_printf("H extension = %s, Sstc = %s\n", hgatp_works ? "yes" : "no",
		       stimecmp_works ? "yes" : "no");
	console_printf("SBI = %lu.%lu, %s %lu.%lu, extensions:%s%s%s%s%s\n\n",
		       (sbi->spec_version >> 24) & 0x7f, sbi->spec_version & 0xffffff,
		       sbi_impl_name(sbi->impl_id), sbi->impl_version >> 16, sbi->impl_version & 0xffff,
		       sbi->has_time ? " TIME" : "", sbi->has_ipi ? " IPI" : "",
		       sbi->has_rfence ? " RFENCE" : "", sbi->has_hsm ? " HSM" : "",
		       sbi->has_srst ? " SRST" : "");
	if (hgatp_works) {
		if (!dt_lists_h)
			log_warn("riscv,isa does not list 'h' but hgatp is accessible; using the H extension");
		return true;
	}
	static char reason[ISA_STRING_MAX + 128];
	if (dt_lists_h)
		format_snprintf(reason, sizeof(reason),
				"riscv,isa \"%s\" lists the H extension but reading hgatp traps "
				"(disabled by the firmware?)", isa_string);
	else
		format_snprintf(reason, sizeof(reason),
				"hart %lu has no H (hypervisor) extension: riscv,isa \"%s\" has no 'h' and "
				"reading hgatp traps", (unsigned long)boot_hart, isa_string);
	if (why)
		*why = reason;
	return false;
}
