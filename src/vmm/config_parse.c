/* SPDX-License-Identifier: Apache-2.0 */
/* TOML tree -> struct vm_config, following AxVisor's schema (docs/config.md). This file checks what
 * the shape of the file decides: types, tuple lengths, required keys, known enumeration strings,
 * unknown keys. Meaning (ranges, overlaps, CPUs) is config_validate.c's job. */
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"
#include "vmm/config.h"

struct parse_context {
	struct vm_config *config;
	struct config_reporter *reporter;
	const char *file;
};

#define KEY_MAX 96

static void error(struct parse_context *c, uint32_t line, const char *key, const char *fmt, ...) __printf_like(4, 5);
static void error(struct parse_context *c, uint32_t line, const char *key, const char *fmt, ...)
{
	char message[CONFIG_MESSAGE_MAX];
	va_list ap;
	va_start(ap, fmt);
	format_vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	config_report(c->reporter, CONFIG_ERROR, c->file, line, key, "%s", message);
}

/* "kernel.memory_regions" + 1 -> "kernel.memory_regions[1]" */
static const char *indexed(char *buffer, const char *key, size_t index)
{
	format_snprintf(buffer, KEY_MAX, "%s[%zu]", key, index);
	return buffer;
}

static const char *found(const struct toml_value *v)
{
	return toml_type_name(v->type);
}

static bool read_number(struct parse_context *c, const struct toml_value *v, const char *key, uint64_t *out)
{
	if (v->type != TOML_INTEGER) {
		error(c, v->line, key, "expected an integer, found a %s", found(v));
		return false;
	}
	if (v->as.integer < 0) {
		error(c, v->line, key, "must not be negative (%lld)", (long long)v->as.integer);
		return false;
	}
	*out = (uint64_t)v->as.integer;
	return true;
}

/* Strings that reach C code must not hide a NUL written as \u0000. */
static bool read_string(struct parse_context *c, const struct toml_value *v, const char *key, const char **out)
{
	if (v->type != TOML_STRING) {
		error(c, v->line, key, "expected a string, found a %s", found(v));
		return false;
	}
	if (strlen(v->as.string.text) != v->as.string.length) {
		error(c, v->line, key, "string contains a NUL character");
		return false;
	}
	*out = v->as.string.text;
	return true;
}

static bool expect_array(struct parse_context *c, const struct toml_value *v, const char *key)
{
	if (v->type == TOML_ARRAY)
		return true;
	error(c, v->line, key, "expected an array, found a %s", found(v));
	return false;
}

/* Checks an array's length against a fixed limit; reports and returns false when it is longer. */
static bool within_limit(struct parse_context *c, const struct toml_value *v, const char *key, size_t limit)
{
	if (v->as.children.count <= limit)
		return true;
	error(c, v->line, key, "has %zu entries; at most %zu are supported", v->as.children.count, limit);
	return false;
}

static void read_number_field(struct parse_context *c, const struct toml_value *v, const char *key,
			      struct config_number *out)
{
	if (read_number(c, v, key, &out->value))
		out->line = v->line;
}

static void read_string_field(struct parse_context *c, const struct toml_value *v, const char *key,
			      struct config_string *out)
{
	if (read_string(c, v, key, &out->value))
		out->line = v->line;
}

/* An array of integers such as phys_cpu_ids; returns the count read. */
static size_t read_number_list(struct parse_context *c, const struct toml_value *v, const char *key,
			       uint64_t *out, size_t limit)
{
	char element_key[KEY_MAX];
	if (!expect_array(c, v, key) || !within_limit(c, v, key, limit))
		return 0;
	size_t count = 0;
	for (const struct toml_value *e = v->as.children.first; e; e = e->next, count++)
		read_number(c, e, indexed(element_key, key, count), &out[count]);
	return count;
}

/* ---- tuple arrays: memory_regions = [[gpa, size, flags, map_type], ...] and friends ---- */

/* Fills `out` with the tuple's elements when it is an array of min..max values. */
static size_t read_tuple(struct parse_context *c, const struct toml_value *v, const char *key, const char *shape,
			 size_t min, size_t max, const struct toml_value **out)
{
	if (v->type != TOML_ARRAY) {
		error(c, v->line, key, "expected %s, found a %s", shape, found(v));
		return 0;
	}
	/* Counted along the list that fills `out`, not taken from the array's count: then `out` holds
	 * exactly `count` elements by construction (the static analyzer cannot know the two agree). */
	size_t count = 0;
	for (const struct toml_value *e = v->as.children.first; e; e = e->next, count++)
		if (count < max)
			out[count] = e;
	if (count < min || count > max) {
		error(c, v->line, key, "expected %s, found %zu value%s", shape, count, count == 1 ? "" : "s");
		return 0;
	}
	return count;
}

static bool read_tuple_number(struct parse_context *c, const struct toml_value *const *tuple, size_t index,
			      const char *key, uint64_t *out)
{
	char element_key[KEY_MAX];
	return read_number(c, tuple[index], indexed(element_key, key, index), out);
}

static void parse_memory_regions(struct parse_context *c, const struct toml_value *v, const char *key)
{
	struct vm_config *cfg = c->config;
	char element_key[KEY_MAX];
	if (!expect_array(c, v, key) || !within_limit(c, v, key, VM_MAX_MEMORY_REGIONS))
		return;
	cfg->kernel.memory_regions_line = v->line;
	for (const struct toml_value *e = v->as.children.first; e; e = e->next) {
		struct vm_memory_region *r = &cfg->kernel.memory_regions[cfg->kernel.memory_region_count];
		const struct toml_value *t[4];
		indexed(element_key, key, cfg->kernel.memory_region_count);
		cfg->kernel.memory_region_count++;
		r->line = e->line;
		if (!read_tuple(c, e, element_key, "[gpa, size, flags, map_type]", 4, 4, t))
			continue;
		read_tuple_number(c, t, 0, element_key, &r->gpa);
		read_tuple_number(c, t, 1, element_key, &r->size);
		read_tuple_number(c, t, 2, element_key, &r->flags);
		read_tuple_number(c, t, 3, element_key, &r->map_type);
	}
}

static void parse_passthrough_devices(struct parse_context *c, const struct toml_value *v, const char *key)
{
	struct vm_config *cfg = c->config;
	char element_key[KEY_MAX], name_key[KEY_MAX];
	if (!expect_array(c, v, key) || !within_limit(c, v, key, VM_MAX_PASSTHROUGH_DEVICES))
		return;
	for (const struct toml_value *e = v->as.children.first; e; e = e->next) {
		struct vm_passthrough_device *d =
			&cfg->devices.passthrough_devices[cfg->devices.passthrough_device_count];
		const struct toml_value *t[5];
		indexed(element_key, key, cfg->devices.passthrough_device_count);
		cfg->devices.passthrough_device_count++;
		d->line = e->line;
		static const char shape[] = "[\"/device/tree/path\"] or [name, base_gpa, base_hpa, length, irq]";
		size_t n = read_tuple(c, e, element_key, shape, 1, 5, t);
		if (n == 0)
			continue;
		if (n != 1 && n != 5) {
			/* read_tuple's words for a wrong count (n is 2 to 4 here: "values") */
			error(c, e->line, element_key, "expected %s, found %zu value%s", shape, n, "s");
			continue;
		}
		read_string(c, t[0], indexed(name_key, element_key, 0), &d->name);
		d->is_device_tree_path = n == 1;
		if (n == 5) {
			read_tuple_number(c, t, 1, element_key, &d->base_gpa);
			read_tuple_number(c, t, 2, element_key, &d->base_hpa);
			read_tuple_number(c, t, 3, element_key, &d->length);
			read_tuple_number(c, t, 4, element_key, &d->irq);
		}
	}
}

static void parse_passthrough_addresses(struct parse_context *c, const struct toml_value *v, const char *key)
{
	struct vm_config *cfg = c->config;
	char element_key[KEY_MAX];
	if (!expect_array(c, v, key) || !within_limit(c, v, key, VM_MAX_PASSTHROUGH_ADDRESSES))
		return;
	for (const struct toml_value *e = v->as.children.first; e; e = e->next) {
		struct vm_passthrough_address *a =
			&cfg->devices.passthrough_addresses[cfg->devices.passthrough_address_count];
		const struct toml_value *t[2];
		indexed(element_key, key, cfg->devices.passthrough_address_count);
		cfg->devices.passthrough_address_count++;
		a->line = e->line;
		if (!read_tuple(c, e, element_key, "[gpa, length]", 2, 2, t))
			continue;
		read_tuple_number(c, t, 0, element_key, &a->gpa);
		read_tuple_number(c, t, 1, element_key, &a->length);
	}
}

/* excluded_devices = [["/path"], ["/other", "/third"]]: every string names one device-tree node. */
static void parse_excluded_devices(struct parse_context *c, const struct toml_value *v, const char *key)
{
	struct vm_config *cfg = c->config;
	char element_key[KEY_MAX], path_key[KEY_MAX];
	if (!expect_array(c, v, key))
		return;
	size_t index = 0;
	for (const struct toml_value *e = v->as.children.first; e; e = e->next, index++) {
		indexed(element_key, key, index);
		if (!expect_array(c, e, element_key))
			continue;
		size_t inner = 0;
		for (const struct toml_value *s = e->as.children.first; s; s = s->next, inner++) {
			if (cfg->devices.excluded_device_count == VM_MAX_EXCLUDED_DEVICES) {
				error(c, s->line, key, "more than %d excluded devices are not supported",
				      VM_MAX_EXCLUDED_DEVICES);
				return;
			}
			struct vm_excluded_device *x = &cfg->devices.excluded_devices[cfg->devices.excluded_device_count];
			if (read_string(c, s, indexed(path_key, element_key, inner), &x->path)) {
				x->line = s->line;
				cfg->devices.excluded_device_count++;
			}
		}
	}
}

static void parse_emu_devices(struct parse_context *c, const struct toml_value *v, const char *key)
{
	struct vm_config *cfg = c->config;
	char element_key[KEY_MAX], item_key[KEY_MAX];
	if (!expect_array(c, v, key) || !within_limit(c, v, key, VM_MAX_EMU_DEVICES))
		return;
	for (const struct toml_value *e = v->as.children.first; e; e = e->next) {
		struct vm_emu_device *d = &cfg->devices.emu_devices[cfg->devices.emu_device_count];
		const struct toml_value *t[6];
		indexed(element_key, key, cfg->devices.emu_device_count);
		cfg->devices.emu_device_count++;
		d->line = e->line;
		if (!read_tuple(c, e, element_key, "[name, base_gpa, length, irq, emu_type, [config...]]", 6, 6, t))
			continue;
		read_string(c, t[0], indexed(item_key, element_key, 0), &d->name);
		read_tuple_number(c, t, 1, element_key, &d->base_gpa);
		read_tuple_number(c, t, 2, element_key, &d->length);
		read_tuple_number(c, t, 3, element_key, &d->irq);
		read_tuple_number(c, t, 4, element_key, &d->emu_type);
		d->config_count = read_number_list(c, t[5], indexed(item_key, element_key, 5), d->config,
						   VM_MAX_EMU_CONFIG_WORDS);
	}
}

/* ---- enumerations written as strings ---- */

struct name_value {
	const char *name;
	uint64_t value;
};

static void read_enumeration(struct parse_context *c, const struct toml_value *v, const char *key,
			     const struct name_value *names, size_t count, const char *expected,
			     struct config_number *out)
{
	const char *s;
	if (!read_string(c, v, key, &s))
		return;
	for (size_t i = 0; i < count; i++) {
		if (strcmp(s, names[i].name) == 0) {
			out->value = names[i].value;
			out->line = v->line;
			return;
		}
	}
	error(c, v->line, key, "unknown value \"%.40s\" (expected %s)", s, expected);
}

static void parse_image_location(struct parse_context *c, const struct toml_value *v, const char *key)
{
	static const struct name_value names[] = {
		{ "fs", VM_IMAGE_IN_FILESYSTEM },
		{ "memory", VM_IMAGE_IN_MEMORY },
	};
	read_enumeration(c, v, key, names, ARRAY_SIZE(names), "\"memory\" or \"fs\"",
			 &c->config->kernel.image_location);
}

/* Tessera's: whether a guest-initiated reset keeps the VM's RAM as it was (docs/config.md). */
static void parse_keep_ram_on_reset(struct parse_context *c, const struct toml_value *v, const char *key)
{
	if (v->type != TOML_BOOLEAN) {
		error(c, v->line, key, "expected true or false, found a %s", found(v));
		return;
	}
	c->config->kernel.keep_ram_on_reset.value = v->as.boolean;
	c->config->kernel.keep_ram_on_reset.line = v->line;
}

static void parse_interrupt_mode(struct parse_context *c, const struct toml_value *v, const char *key)
{
	/* The second names are AxVisor's aliases: files written for it keep working. */
	static const struct name_value names[] = {
		{ "no_irq", VM_INTERRUPTS_NONE },     { "emu", VM_INTERRUPTS_EMULATED },
		{ "passthrough", VM_INTERRUPTS_PASSTHROUGH }, { "no", VM_INTERRUPTS_NONE },
		{ "none", VM_INTERRUPTS_NONE },       { "emulated", VM_INTERRUPTS_EMULATED },
		{ "pt", VM_INTERRUPTS_PASSTHROUGH },
	};
	read_enumeration(c, v, key, names, ARRAY_SIZE(names), "\"no_irq\", \"emu\" or \"passthrough\"",
			 &c->config->devices.interrupt_mode);
}

static void parse_phys_cpu_ids(struct parse_context *c, const struct toml_value *v, const char *key)
{
	struct vm_config *cfg = c->config;
	cfg->base.phys_cpu_id_count = read_number_list(c, v, key, cfg->base.phys_cpu_ids, VM_MAX_VCPUS);
	cfg->base.phys_cpu_ids_line = v->line;
}

static void parse_phys_cpu_sets(struct parse_context *c, const struct toml_value *v, const char *key)
{
	struct vm_config *cfg = c->config;
	cfg->base.phys_cpu_set_count = read_number_list(c, v, key, cfg->base.phys_cpu_sets, VM_MAX_VCPUS);
	cfg->base.phys_cpu_sets_line = v->line;
}

/* ---- the schema, table by table ---- */

enum field_kind { FIELD_NUMBER, FIELD_STRING, FIELD_CUSTOM };

/* Packed to 24 bytes: the schema's tables are read-only data in the image. */
struct field {
	const char *key;
	void (*custom)(struct parse_context *c, const struct toml_value *v, const char *key);
	uint32_t offset; /* of the config_number / config_string in struct vm_config */
	uint8_t kind;    /* enum field_kind */
	bool required;
};
/* NOLINTNEXTLINE(bugprone-sizeof-expression): comparing the size with a bound is this assertion's point */
_Static_assert(sizeof(struct vm_config) <= UINT32_MAX, "struct field's offset is 32 bits");

#define NUMBER(name, member, req) { name, NULL, offsetof(struct vm_config, member), FIELD_NUMBER, req }
#define STRING(name, member, req) { name, NULL, offsetof(struct vm_config, member), FIELD_STRING, req }
#define CUSTOM(name, function, req) { name, function, 0, FIELD_CUSTOM, req }

static const struct field base_fields[] = {
	NUMBER("id", base.id, true),
	STRING("name", base.name, true),
	NUMBER("vm_type", base.vm_type, true),
	NUMBER("cpu_num", base.cpu_num, true),
	CUSTOM("phys_cpu_ids", parse_phys_cpu_ids, false),
	CUSTOM("phys_cpu_sets", parse_phys_cpu_sets, false),
};

static const struct field kernel_fields[] = {
	NUMBER("entry_point", kernel.entry_point, false),
	CUSTOM("image_location", parse_image_location, false),
	STRING("kernel_path", kernel.images[VM_IMAGE_KERNEL].path, true),
	NUMBER("kernel_load_addr", kernel.images[VM_IMAGE_KERNEL].load_addr, false),
	STRING("dtb_path", kernel.images[VM_IMAGE_DTB].path, false),
	NUMBER("dtb_load_addr", kernel.images[VM_IMAGE_DTB].load_addr, false),
	STRING("bios_path", kernel.images[VM_IMAGE_BIOS].path, false),
	NUMBER("bios_load_addr", kernel.images[VM_IMAGE_BIOS].load_addr, false),
	STRING("ramdisk_path", kernel.images[VM_IMAGE_RAMDISK].path, false),
	NUMBER("ramdisk_load_addr", kernel.images[VM_IMAGE_RAMDISK].load_addr, false),
	STRING("cmdline", kernel.cmdline, false),
	STRING("disk_path", kernel.disk_path, false),
	CUSTOM("memory_regions", parse_memory_regions, true),
	CUSTOM("keep_ram_on_reset", parse_keep_ram_on_reset, false),
};

/* AxVisor requires emu_devices and passthrough_devices; Tessera lets them default to empty. */
static void parse_console(struct parse_context *c, const struct toml_value *v, const char *key)
{
	static const struct name_value names[] = { { "auto", VM_CONSOLE_AUTO }, { "none", VM_CONSOLE_NONE } };
	read_enumeration(c, v, key, names, ARRAY_SIZE(names), "\"auto\" or \"none\"", &c->config->devices.console);
}

static const struct field devices_fields[] = {
	CUSTOM("passthrough_devices", parse_passthrough_devices, false),
	CUSTOM("passthrough_addresses", parse_passthrough_addresses, false),
	CUSTOM("excluded_devices", parse_excluded_devices, false),
	CUSTOM("emu_devices", parse_emu_devices, false),
	CUSTOM("interrupt_mode", parse_interrupt_mode, false),
	CUSTOM("console", parse_console, false),
};

#define MAX_FIELDS_PER_SECTION 16
_Static_assert(ARRAY_SIZE(kernel_fields) <= MAX_FIELDS_PER_SECTION, "grow MAX_FIELDS_PER_SECTION");

struct section {
	const char *name;
	const struct field *fields;
	uint32_t field_count;
	uint32_t line_offset; /* of the section's header line in struct vm_config */
	bool required;
};

static const struct section sections[] = {
	{ "base", base_fields, ARRAY_SIZE(base_fields), offsetof(struct vm_config, base.line), true },
	{ "kernel", kernel_fields, ARRAY_SIZE(kernel_fields), offsetof(struct vm_config, kernel.line), true },
	{ "devices", devices_fields, ARRAY_SIZE(devices_fields), offsetof(struct vm_config, devices.line), false },
};

static void warn_unknown(struct parse_context *c, const struct toml_value *v, const char *key)
{
	config_report(c->reporter, CONFIG_WARNING, c->file, v->line, key, "unknown key (ignored)");
}

/* Builds "section.key" for a member, quoting nothing: unknown keys are shown as written. */
static const char *member_key(char *buffer, const char *section, const struct toml_value *member)
{
	format_snprintf(buffer, KEY_MAX, "%s%s%.*s", section ? section : "", section ? "." : "",
			(int)MIN(member->key_length, (size_t)48), member->key);
	return buffer;
}

static void parse_section(struct parse_context *c, const struct section *s, const struct toml_value *table)
{
	char key[KEY_MAX];
	bool seen[MAX_FIELDS_PER_SECTION] = { false };
	*(uint32_t *)((char *)c->config + s->line_offset) = table->line;
	for (const struct toml_value *member = table->as.children.first; member; member = member->next) {
		member_key(key, s->name, member);
		const struct field *f = NULL;
		for (size_t i = 0; i < s->field_count; i++) {
			if (strlen(s->fields[i].key) == member->key_length &&
			    memcmp(s->fields[i].key, member->key, member->key_length) == 0) {
				f = &s->fields[i];
				seen[i] = true;
			}
		}
		if (!f) {
			warn_unknown(c, member, key);
			continue;
		}
		void *target = (char *)c->config + f->offset;
		switch (f->kind) {
		case FIELD_NUMBER: read_number_field(c, member, key, target); break;
		case FIELD_STRING: read_string_field(c, member, key, target); break;
		case FIELD_CUSTOM: f->custom(c, member, key); break;
		}
	}
	for (size_t i = 0; i < s->field_count; i++) {
		if (s->fields[i].required && !seen[i]) {
			format_snprintf(key, sizeof(key), "%s.%s", s->name, s->fields[i].key);
			error(c, table->line, key, "missing required key");
		}
	}
}

static void parse_root(struct parse_context *c, const struct toml_value *root)
{
	char key[KEY_MAX];
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++) {
		const struct section *s = &sections[i];
		const struct toml_value *table = toml_table_get(root, s->name);
		if (!table) {
			if (s->required)
				error(c, 0, s->name, "missing required table [%s]", s->name);
			continue;
		}
		if (table->type != TOML_TABLE) {
			error(c, table->line, s->name, "expected a table, found a %s", found(table));
			continue;
		}
		parse_section(c, s, table);
	}
	for (const struct toml_value *member = root->as.children.first; member; member = member->next) {
		bool known = false;
		for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
			known |= strlen(sections[i].name) == member->key_length &&
				 memcmp(sections[i].name, member->key, member->key_length) == 0;
		if (!known)
			warn_unknown(c, member, member_key(key, NULL, member));
	}
}

int config_parse(const char *file_name, const char *text, size_t length, struct toml_arena *arena,
		 struct vm_config *config, struct config_reporter *reporter)
{
	struct parse_context c = { .config = config, .reporter = reporter, .file = file_name };
	struct toml_value *root;
	struct toml_error toml_error;
	unsigned errors_before = reporter->errors;

	memset(config, 0, sizeof(*config));
	config->file_name = file_name;
	int rc = toml_parse(text, length, arena, &root, &toml_error);
	if (rc) {
		/* A syntax error has a position but no key yet: "file:line:column: message". */
		char message[CONFIG_MESSAGE_MAX];
		format_snprintf(message, sizeof(message), "%s:%u:%u: %s", file_name, toml_error.line,
				toml_error.column, toml_error.message);
		reporter->errors++;
		reporter->report(reporter->ctx, CONFIG_ERROR, message);
		return rc;
	}
	parse_root(&c, root);
	return reporter->errors == errors_before ? 0 : -EINVAL;
}
