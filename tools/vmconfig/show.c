/* SPDX-License-Identifier: Apache-2.0 */
/* `vmconfig show`: prints a parsed config as TOML in AxVisor's schema, every default written out,
 * so users see exactly what Tessera will do with their file. */
#include <inttypes.h>
#include <stdio.h>

#include "vmconfig.h"

static void print_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void print_hex_list(FILE *out, const uint64_t *values, size_t count)
{
	fputc('[', out);
	for (size_t i = 0; i < count; i++)
		fprintf(out, "%s0x%" PRIx64, i ? ", " : "", values[i]);
	fputc(']', out);
}

static void print_base(FILE *out, const struct vm_config *c)
{
	fprintf(out, "[base]\nid = %" PRIu64 "\nname = ", c->base.id.value);
	print_string(out, c->base.name.value);
	fprintf(out, "\nvm_type = %" PRIu64 "\ncpu_num = %" PRIu64 "\n", c->base.vm_type.value, c->base.cpu_num.value);
	fputs("phys_cpu_ids = ", out);
	if (c->base.phys_cpu_ids_line) {
		print_hex_list(out, c->base.phys_cpu_ids, c->base.phys_cpu_id_count);
	} else {
		/* AxVisor's default: vCPU i gets physical id i. */
		uint64_t ids[VM_MAX_VCPUS];
		for (size_t i = 0; i < c->base.cpu_num.value && i < VM_MAX_VCPUS; i++)
			ids[i] = i;
		print_hex_list(out, ids, MIN(c->base.cpu_num.value, (uint64_t)VM_MAX_VCPUS));
	}
	fputc('\n', out);
	if (c->base.phys_cpu_sets_line) {
		fputs("phys_cpu_sets = ", out);
		print_hex_list(out, c->base.phys_cpu_sets, c->base.phys_cpu_set_count);
		fputc('\n', out);
	} else {
		fputs("# phys_cpu_sets not set: each vCPU may run on any physical CPU\n", out);
	}
}

static void print_kernel(FILE *out, const struct vm_config *c)
{
	fputs("\n[kernel]\n", out);
	if (c->kernel.entry_point.line)
		fprintf(out, "entry_point = 0x%" PRIx64 "\n", c->kernel.entry_point.value);
	else
		fputs("# entry_point not set: where the kernel is loaded\n", out);
	fprintf(out, "image_location = \"%s\"\n", c->kernel.image_location.value == VM_IMAGE_IN_MEMORY ? "memory" : "fs");
	for (int kind = 0; kind < VM_IMAGE_KIND_COUNT; kind++) {
		const struct vm_image *image = &c->kernel.images[kind];
		const char *name = config_image_kind_name(kind);
		if (!image->path.value)
			continue;
		fprintf(out, "%s_path = ", name);
		print_string(out, image->path.value);
		if (image->load_addr.line || kind != VM_IMAGE_KERNEL)
			fprintf(out, "\n%s_load_addr = 0x%" PRIx64 "\n", name, image->load_addr.value);
		else
			fputs("\n# kernel_load_addr not set: where its boot protocol puts it\n", out);
	}
	if (c->kernel.cmdline.value) {
		fputs("cmdline = ", out);
		print_string(out, c->kernel.cmdline.value);
		fputc('\n', out);
	}
	if (c->kernel.disk_path.value) {
		fputs("disk_path = ", out);
		print_string(out, c->kernel.disk_path.value);
		fputc('\n', out);
	}
	if (c->kernel.keep_ram_on_reset.value)
		fputs("keep_ram_on_reset = true\n", out);
	fputs("memory_regions = [\n", out);
	for (size_t i = 0; i < c->kernel.memory_region_count; i++) {
		const struct vm_memory_region *r = &c->kernel.memory_regions[i];
		fprintf(out, "    [0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64 ", %" PRIu64 "],\n", r->gpa, r->size, r->flags,
			r->map_type);
	}
	fputs("]\n", out);
}

static void print_devices(FILE *out, const struct vm_config *c)
{
	fputs("\n[devices]\npassthrough_devices = [\n", out);
	for (size_t i = 0; i < c->devices.passthrough_device_count; i++) {
		const struct vm_passthrough_device *d = &c->devices.passthrough_devices[i];
		fputs("    [", out);
		print_string(out, d->name);
		if (!d->is_device_tree_path)
			fprintf(out, ", 0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64 ", %" PRIu64, d->base_gpa, d->base_hpa,
				d->length, d->irq);
		fputs("],\n", out);
	}
	fputs("]\npassthrough_addresses = [\n", out);
	for (size_t i = 0; i < c->devices.passthrough_address_count; i++)
		fprintf(out, "    [0x%" PRIx64 ", 0x%" PRIx64 "],\n", c->devices.passthrough_addresses[i].gpa,
			c->devices.passthrough_addresses[i].length);
	fputs("]\nexcluded_devices = [\n", out);
	for (size_t i = 0; i < c->devices.excluded_device_count; i++) {
		fputs("    [", out);
		print_string(out, c->devices.excluded_devices[i].path);
		fputs("],\n", out);
	}
	fputs("]\nemu_devices = [\n", out);
	for (size_t i = 0; i < c->devices.emu_device_count; i++) {
		const struct vm_emu_device *d = &c->devices.emu_devices[i];
		fputs("    [", out);
		print_string(out, d->name);
		fprintf(out, ", 0x%" PRIx64 ", 0x%" PRIx64 ", %" PRIu64 ", 0x%" PRIx64 ", ", d->base_gpa, d->length, d->irq,
			d->emu_type);
		print_hex_list(out, d->config, d->config_count);
		fprintf(out, "], # %s\n", config_emu_type_name(d->emu_type));
	}
	fprintf(out, "]\ninterrupt_mode = \"%s\"\n", config_interrupt_mode_name(c->devices.interrupt_mode.value));
	fprintf(out, "console = \"%s\"\n", c->devices.console.value == VM_CONSOLE_NONE ? "none" : "auto");
}

void vmconfig_show(FILE *out, const struct vm_config *config)
{
	fprintf(out, "# %s, normalized by vmconfig: every default is written out.\n", config->file_name);
	print_base(out, config);
	print_kernel(out, config);
	print_devices(out, config);
}
