/* SPDX-License-Identifier: Apache-2.0 */
/* Semantic checks on a parsed vm_config: value ranges, page alignment, overlapping windows, CPU
 * assignments against the platform, addresses inside guest RAM. Each check reports and carries on.
 * Also the checks across configs (unique ids and names) and the loader's image-size check. */
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"
#include "vmm/config.h"

#define KEY_MAX 96
#define GUEST_PAGE_SIZE 0x1000ull /* stage-2 / G-stage / NPT map 4 KiB pages at the finest */

struct check {
	const struct vm_config *config;
	const struct config_platform *platform;
	struct config_reporter *reporter;
};

static void error(struct check *c, uint32_t line, const char *key, const char *fmt, ...) __printf_like(4, 5);
static void error(struct check *c, uint32_t line, const char *key, const char *fmt, ...)
{
	char message[CONFIG_MESSAGE_MAX];
	va_list ap;
	va_start(ap, fmt);
	format_vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	config_report(c->reporter, CONFIG_ERROR, c->config->file_name, line, key, "%s", message);
}

static void warning(struct check *c, uint32_t line, const char *key, const char *message)
{
	config_report(c->reporter, CONFIG_WARNING, c->config->file_name, line, key, "%s", message);
}

static const char *indexed(char *buffer, const char *key, size_t index)
{
	format_snprintf(buffer, KEY_MAX, "%s[%zu]", key, index);
	return buffer;
}

static unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

/* [base, base + size) fits in 64 bits (a range that ends exactly at 2^64 is allowed). */
static bool range_is_valid(uint64_t base, uint64_t size)
{
	return size == 0 || base <= UINT64_MAX - (size - 1);
}

static bool ranges_overlap(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	if (a_size == 0 || b_size == 0)
		return false;
	return a <= b + (b_size - 1) && b <= a + (a_size - 1);
}

static bool range_contains(uint64_t outer, uint64_t outer_size, uint64_t inner, uint64_t inner_size)
{
	return inner >= outer && inner_size <= outer_size && inner - outer <= outer_size - inner_size;
}

/* ---- [base] ---- */

static void check_base(struct check *c)
{
	const struct vm_config *cfg = c->config;
	const char *name = cfg->base.name.value;
	if (name) {
		size_t length = strlen(name);
		if (length == 0)
			error(c, cfg->base.name.line, "base.name", "must not be empty");
		else if (length > VM_NAME_MAX)
			error(c, cfg->base.name.line, "base.name", "is %zu bytes long; at most %d are allowed", length,
			      VM_NAME_MAX);
	}
	uint64_t vm_type = cfg->base.vm_type.value;
	if (cfg->base.vm_type.line && vm_type > VM_TYPE_LINUX)
		error(c, cfg->base.vm_type.line, "base.vm_type", "unknown VM type %llu (0 host, 1 RTOS, 2 Linux)",
		      ull(vm_type));
	uint64_t cpu_num = cfg->base.cpu_num.value;
	if (cfg->base.cpu_num.line && (cpu_num == 0 || cpu_num > VM_MAX_VCPUS))
		error(c, cfg->base.cpu_num.line, "base.cpu_num", "must be between 1 and %d (found %llu)", VM_MAX_VCPUS,
		      ull(cpu_num));
}

static bool platform_has_cpu_id(const struct config_platform *p, uint64_t id)
{
	if (p->cpu_hardware_id_count == 0)
		return id < p->cpu_count;
	for (unsigned i = 0; i < p->cpu_hardware_id_count; i++) {
		if (p->cpu_hardware_ids[i] == id)
			return true;
	}
	return false;
}

/* A per-vCPU list (phys_cpu_ids, phys_cpu_sets) has one entry for each of cpu_num's vCPUs. */
static void check_one_per_vcpu(struct check *c, uint32_t line, const char *key, size_t count)
{
	const struct vm_config *cfg = c->config;
	if (cfg->base.cpu_num.line && count != cfg->base.cpu_num.value)
		error(c, line, key, "has %zu entries but cpu_num is %llu", count, ull(cfg->base.cpu_num.value));
}

static void check_phys_cpu_ids(struct check *c)
{
	const struct vm_config *cfg = c->config;
	char key[KEY_MAX];
	uint32_t line = cfg->base.phys_cpu_ids_line;
	size_t count = cfg->base.phys_cpu_id_count;
	if (!line)
		return;
	check_one_per_vcpu(c, line, "base.phys_cpu_ids", count);
	for (size_t i = 0; i < count; i++) {
		uint64_t id = cfg->base.phys_cpu_ids[i];
		indexed(key, "base.phys_cpu_ids", i);
		for (size_t j = 0; j < i; j++) {
			if (cfg->base.phys_cpu_ids[j] == id) {
				error(c, line, key, "physical CPU 0x%llx is already vCPU %zu's", ull(id), j);
				break;
			}
		}
		const struct config_platform *p = c->platform;
		if (p && (p->cpu_count || p->cpu_hardware_id_count) && !platform_has_cpu_id(p, id)) {
			if (p->cpu_hardware_id_count)
				error(c, line, key, "no physical CPU has hardware id 0x%llx", ull(id));
			else
				error(c, line, key, "physical CPU %llu does not exist (the platform has %u)", ull(id),
				      p->cpu_count);
		}
	}
}

static void check_phys_cpu_sets(struct check *c)
{
	const struct vm_config *cfg = c->config;
	char key[KEY_MAX];
	uint32_t line = cfg->base.phys_cpu_sets_line;
	size_t count = cfg->base.phys_cpu_set_count;
	if (!line)
		return;
	check_one_per_vcpu(c, line, "base.phys_cpu_sets", count);
	unsigned cpus = c->platform ? c->platform->cpu_count : 0;
	for (size_t i = 0; i < count; i++) {
		uint64_t mask = cfg->base.phys_cpu_sets[i];
		indexed(key, "base.phys_cpu_sets", i);
		if (mask == 0)
			error(c, line, key, "is 0: vCPU %zu could never run", i);
		else if (cpus && cpus < 64 && (mask >> cpus) != 0)
			error(c, line, key, "mask 0x%llx names CPUs the platform lacks (it has %u)", ull(mask), cpus);
	}
}

/* ---- [kernel] memory and images ---- */

static bool in_host_memory(const struct config_platform *p, uint64_t base, uint64_t size)
{
	for (unsigned i = 0; i < p->host_memory_count; i++) {
		if (range_contains(p->host_memory[i].base, p->host_memory[i].size, base, size))
			return true;
	}
	return false;
}

static void check_memory_region(struct check *c, size_t index)
{
	const struct vm_memory_region *r = &c->config->kernel.memory_regions[index];
	char key[KEY_MAX];
	indexed(key, "kernel.memory_regions", index);
	if (r->size == 0)
		error(c, r->line, key, "size is 0");
	if (!IS_ALIGNED(r->gpa, GUEST_PAGE_SIZE))
		error(c, r->line, key, "gpa 0x%llx is not 4 KiB aligned", ull(r->gpa));
	if (!IS_ALIGNED(r->size, GUEST_PAGE_SIZE))
		error(c, r->line, key, "size 0x%llx is not a multiple of 4 KiB", ull(r->size));
	if (!range_is_valid(r->gpa, r->size))
		error(c, r->line, key, "0x%llx + 0x%llx wraps past the end of the address space", ull(r->gpa),
		      ull(r->size));
	if (r->flags & ~(uint64_t)VM_MEMORY_ALL_FLAGS)
		error(c, r->line, key, "unknown flag bits 0x%llx (R=1 W=2 X=4 USER=8 DEVICE=0x10 UNCACHED=0x20)",
		      ull(r->flags & ~(uint64_t)VM_MEMORY_ALL_FLAGS));
	else if (!(r->flags & (VM_MEMORY_READ | VM_MEMORY_WRITE | VM_MEMORY_EXECUTE)))
		warning(c, r->line, key, "flags grant no access (none of R=1 W=2 X=4)");
	if (r->map_type > VM_MAP_RESERVED) {
		error(c, r->line, key, "unknown map_type %llu (0 allocate, 1 identical, 2 reserved)", ull(r->map_type));
	} else if (r->map_type != VM_MAP_ALLOCATE && c->platform && c->platform->host_memory_count &&
		   range_is_valid(r->gpa, r->size) && !in_host_memory(c->platform, r->gpa, r->size)) {
		error(c, r->line, key, "%s mapping 0x%llx..0x%llx is not in host RAM",
		      r->map_type == VM_MAP_IDENTICAL ? "identical" : "reserved", ull(r->gpa), ull(r->gpa + r->size));
	}
}

/* True when the whole of [address, address + size) lies in one memory region. */
static bool in_guest_memory(const struct vm_config *cfg, uint64_t address, uint64_t size)
{
	for (size_t i = 0; i < cfg->kernel.memory_region_count; i++) {
		const struct vm_memory_region *r = &cfg->kernel.memory_regions[i];
		if (range_contains(r->gpa, r->size, address, size))
			return true;
	}
	return false;
}

static void check_address_in_ram(struct check *c, const struct config_number *address, const char *key)
{
	if (address->line && !in_guest_memory(c->config, address->value, 1))
		error(c, address->line, key, "0x%llx is outside guest RAM", ull(address->value));
}

static void check_images(struct check *c)
{
	const struct vm_config *cfg = c->config;
	char path_key[KEY_MAX], address_key[KEY_MAX];
	check_address_in_ram(c, &cfg->kernel.entry_point, "kernel.entry_point");
	for (int kind = 0; kind < VM_IMAGE_KIND_COUNT; kind++) {
		const struct vm_image *image = &cfg->kernel.images[kind];
		const char *name = config_image_kind_name(kind);
		format_snprintf(path_key, sizeof(path_key), "kernel.%s_path", name);
		format_snprintf(address_key, sizeof(address_key), "kernel.%s_load_addr", name);
		if (image->path.value && image->path.value[0] == '\0')
			error(c, image->path.line, path_key, "must not be empty");
		if (image->path.line && !image->load_addr.line && kind != VM_IMAGE_KERNEL)
			error(c, image->path.line, path_key, "is set but %s_load_addr is missing", name);
		/* dtb_load_addr without dtb_path is where the generated device tree goes (vm_loader.c). */
		if (!image->path.line && image->load_addr.line && kind != VM_IMAGE_KERNEL && kind != VM_IMAGE_DTB)
			warning(c, image->load_addr.line, address_key, "is set but there is no image to load (ignored)");
		else
			check_address_in_ram(c, &image->load_addr, address_key);
	}
}

static void check_memory(struct check *c)
{
	const struct vm_config *cfg = c->config;
	if (cfg->kernel.memory_regions_line && cfg->kernel.memory_region_count == 0)
		error(c, cfg->kernel.memory_regions_line, "kernel.memory_regions", "at least one region is required");
	for (size_t i = 0; i < cfg->kernel.memory_region_count; i++)
		check_memory_region(c, i);
}

/* ---- [devices] and the guest-physical windows of everything ---- */

struct window {
	const char *section; /* "kernel" or "devices" */
	const char *array;   /* "memory_regions", "emu_devices", ... */
	size_t index;
	uint64_t base;
	uint64_t size;
	uint32_t line;
};

#define MAX_WINDOWS (VM_MAX_MEMORY_REGIONS + VM_MAX_PASSTHROUGH_DEVICES + VM_MAX_PASSTHROUGH_ADDRESSES + VM_MAX_EMU_DEVICES)

static void add_window(struct window *windows, size_t *count, const char *section, const char *array, size_t index,
		       uint64_t base, uint64_t size, uint32_t line)
{
	if (size == 0 || !range_is_valid(base, size))
		return; /* reported elsewhere, or takes no address space */
	windows[(*count)++] = (struct window){ section, array, index, base, size, line };
}

static void check_page_aligned(struct check *c, const char *key, uint32_t line, const char *what, uint64_t value,
			       bool is_size)
{
	if (IS_ALIGNED(value, GUEST_PAGE_SIZE))
		return;
	if (is_size)
		error(c, line, key, "%s 0x%llx is not a multiple of 4 KiB", what, ull(value));
	else
		error(c, line, key, "%s 0x%llx is not 4 KiB aligned", what, ull(value));
}

static void check_window_range(struct check *c, const char *key, uint32_t line, uint64_t base, uint64_t length)
{
	if (!range_is_valid(base, length))
		error(c, line, key, "0x%llx + 0x%llx wraps past the end of the address space", ull(base), ull(length));
}

static void check_irq(struct check *c, const char *key, uint32_t line, uint64_t irq)
{
	if (irq > UINT32_MAX)
		error(c, line, key, "irq %llu is too large", ull(irq));
}

static void check_device_tree_path(struct check *c, const char *key, uint32_t line, const char *path)
{
	if (path && path[0] != '/')
		error(c, line, key, "device-tree path \"%.60s\" must start with '/'", path);
}

static void check_passthrough(struct check *c)
{
	const struct vm_config *cfg = c->config;
	char key[KEY_MAX];
	for (size_t i = 0; i < cfg->devices.passthrough_device_count; i++) {
		const struct vm_passthrough_device *d = &cfg->devices.passthrough_devices[i];
		indexed(key, "devices.passthrough_devices", i);
		if (d->is_device_tree_path) {
			check_device_tree_path(c, key, d->line, d->name);
			continue;
		}
		if (d->length == 0)
			error(c, d->line, key, "length is 0");
		if (config_name_is_port(d->name)) {
			/* x86 ports: no pages; the port and its host port must be the same (GPA = HPA). */
			if (d->base_gpa + d->length > 0x10000 || d->base_gpa != d->base_hpa)
				error(c, d->line, key, "ports 0x%llx + 0x%llx must lie below 0x10000, passed through 1:1",
				      ull(d->base_gpa), ull(d->length));
			continue;
		}
		check_page_aligned(c, key, d->line, "base_gpa", d->base_gpa, false);
		check_page_aligned(c, key, d->line, "base_hpa", d->base_hpa, false);
		check_page_aligned(c, key, d->line, "length", d->length, true);
		check_window_range(c, key, d->line, d->base_gpa, d->length);
		check_window_range(c, key, d->line, d->base_hpa, d->length);
		check_irq(c, key, d->line, d->irq);
	}
	for (size_t i = 0; i < cfg->devices.passthrough_address_count; i++) {
		const struct vm_passthrough_address *a = &cfg->devices.passthrough_addresses[i];
		indexed(key, "devices.passthrough_addresses", i);
		if (a->length == 0)
			error(c, a->line, key, "length is 0");
		check_page_aligned(c, key, a->line, "gpa", a->gpa, false);
		check_page_aligned(c, key, a->line, "length", a->length, true);
		check_window_range(c, key, a->line, a->gpa, a->length);
	}
	for (size_t i = 0; i < cfg->devices.excluded_device_count; i++) {
		const struct vm_excluded_device *x = &cfg->devices.excluded_devices[i];
		check_device_tree_path(c, "devices.excluded_devices", x->line, x->path);
	}
}

/* Whether two virtio-blk backends may not both be given: they reach the same sectors and one of
 * them writes (readers share; a writer has its sectors alone). */
static bool backends_clash(const struct config_blk_backend *a, const struct config_blk_backend *b)
{
	return config_blk_backends_overlap(a, b) && !(a->read_only && b->read_only);
}

/* What every virtio device needs from its entry: the virtio-mmio window's 0x200 bytes of registers
 * and configuration space, and an interrupt (its driver learns of used buffers from it, 2.7.10). */
static void check_virtio_window(struct check *c, const char *key, const struct vm_emu_device *d)
{
	const char *type = config_emu_type_name(d->emu_type);
	if (d->length < 0x200)
		error(c, d->line, key, "%s '%s': its window is 0x%llx bytes; virtio-mmio needs 0x200 (registers and "
		      "configuration space)", type, d->name, ull(d->length));
	if (d->irq == 0)
		error(c, d->line, key, "%s '%s' needs an interrupt", type, d->name);
}

/* A virtio-blk device names its backend (config_blk_backend), has the virtio-mmio window's 0x200
 * bytes and an interrupt, and shares no written sectors with another device of the VM. */
static void check_virtio_blk(struct check *c, const char *key, size_t index)
{
	const struct vm_config *cfg = c->config;
	const struct vm_emu_device *d = &cfg->devices.emu_devices[index];
	struct config_blk_backend backend, other;
	const char *why;
	if (config_blk_backend(d->name, &backend, &why) < 0) {
		error(c, d->line, key, "virtio-blk '%s': %s", d->name, why);
		return;
	}
	check_virtio_window(c, key, d);
	for (size_t j = 0; j < index; j++) {
		const struct vm_emu_device *e = &cfg->devices.emu_devices[j];
		if (e->emu_type == VM_EMU_VIRTIO_BLOCK && config_blk_backend(e->name, &other, &why) == 0 &&
		    backends_clash(&backend, &other))
			error(c, d->line, key, "virtio-blk '%s' reaches sectors emu_devices[%zu] '%s' reaches too, and one of "
			      "them writes", d->name, j, e->name);
	}
}

/* A virtio-net device names a valid segment and MAC (config_net_port), has the transport's window
 * and an interrupt (its driver learns of received frames from it), and has a MAC no other NIC of
 * the VM has. MACs of NICs in different VMs are checked when the NICs join their segment. */
static void check_virtio_net(struct check *c, const char *key, size_t index)
{
	const struct vm_config *cfg = c->config;
	const struct vm_emu_device *d = &cfg->devices.emu_devices[index];
	struct config_net_port port, other;
	const char *why;
	if (config_net_port(cfg, index, &port, &why) < 0) {
		error(c, d->line, key, "virtio-net '%s': %s", d->name, why);
		return;
	}
	check_virtio_window(c, key, d);
	for (size_t j = 0; j < index; j++) {
		const struct vm_emu_device *e = &cfg->devices.emu_devices[j];
		if (e->emu_type == VM_EMU_VIRTIO_NET && config_net_port(cfg, j, &other, &why) == 0 &&
		    memcmp(port.mac, other.mac, sizeof(port.mac)) == 0)
			error(c, d->line, key, "virtio-net '%s' has the MAC of emu_devices[%zu] '%s'", d->name, j, e->name);
	}
}

/* An IVC window (emu_type 0xA, vmm/ivc.h): channels are mapped into it by the page, so it is whole
 * pages; its arguments are the VM ids that may subscribe to this VM's channels; one per VM. */
static void check_ivc_window(struct check *c, const char *key, size_t index)
{
	const struct vm_emu_device *d = &c->config->devices.emu_devices[index];
	if (!IS_ALIGNED(d->base_gpa, GUEST_PAGE_SIZE) || !IS_ALIGNED(d->length, GUEST_PAGE_SIZE) || d->length == 0)
		error(c, d->line, key, "IVC window '%s' (0x%llx, 0x%llx) is not whole pages: channels are mapped by the page",
		      d->name, ull(d->base_gpa), ull(d->length));
	for (size_t i = 0; i < d->config_count; i++)
		if (d->config[i] == 0 || d->config[i] > UINT32_MAX)
			error(c, d->line, key, "IVC window '%s': argument %zu (%llu) is not a VM id that may subscribe", d->name,
			      i, ull(d->config[i]));
	for (size_t j = 0; j < index; j++)
		if (c->config->devices.emu_devices[j].emu_type == VM_EMU_IVC_CHANNEL)
			error(c, d->line, key, "a second IVC window ('%s' is the first): a VM has one",
			      c->config->devices.emu_devices[j].name);
}

/* `vm stop` presses one button (vmm/power_button.h). */
static void check_one_power_button(struct check *c, const char *key, size_t index)
{
	const struct vm_emu_device *d = &c->config->devices.emu_devices[index];
	for (size_t j = 0; j < index; j++)
		if (c->config->devices.emu_devices[j].emu_type == VM_EMU_VIRTIO_POWER_BUTTON)
			error(c, d->line, key, "a second power button ('%s' is the first): a VM has one",
			      c->config->devices.emu_devices[j].name);
}

/* Emulated devices trap every access, so byte-granular windows are fine; only RAM must not share. */
static void check_emulated(struct check *c)
{
	const struct vm_config *cfg = c->config;
	char key[KEY_MAX];
	for (size_t i = 0; i < cfg->devices.emu_device_count; i++) {
		const struct vm_emu_device *d = &cfg->devices.emu_devices[i];
		indexed(key, "devices.emu_devices", i);
		if (!config_emu_type_name(d->emu_type))
			error(c, d->line, key, "unknown emu_type 0x%llx", ull(d->emu_type));
		check_window_range(c, key, d->line, d->base_gpa, d->length);
		check_irq(c, key, d->line, d->irq);
		if (d->emu_type == VM_EMU_VIRTIO_BLOCK)
			check_virtio_blk(c, key, i);
		if (d->emu_type == VM_EMU_VIRTIO_CONSOLE || /* no backend: the VM's console is its */
		    d->emu_type == VM_EMU_VIRTIO_POWER_BUTTON)
			check_virtio_window(c, key, d);
		if (d->emu_type == VM_EMU_VIRTIO_POWER_BUTTON)
			check_one_power_button(c, key, i);
		if (d->emu_type == VM_EMU_VIRTIO_NET)
			check_virtio_net(c, key, i);
		if (d->emu_type == VM_EMU_IVC_CHANNEL)
			check_ivc_window(c, key, i);
	}
}

/* RAM, passthrough windows and emulated devices share one guest-physical space: no two may meet. */
static void check_overlaps(struct check *c)
{
	const struct vm_config *cfg = c->config;
	struct window windows[MAX_WINDOWS];
	size_t count = 0;
	char key[KEY_MAX];
	for (size_t i = 0; i < cfg->kernel.memory_region_count; i++) {
		const struct vm_memory_region *r = &cfg->kernel.memory_regions[i];
		add_window(windows, &count, "kernel", "memory_regions", i, r->gpa, r->size, r->line);
	}
	for (size_t i = 0; i < cfg->devices.passthrough_device_count; i++) {
		const struct vm_passthrough_device *d = &cfg->devices.passthrough_devices[i];
		if (!d->is_device_tree_path && !config_name_is_port(d->name))
			add_window(windows, &count, "devices", "passthrough_devices", i, d->base_gpa, d->length, d->line);
	}
	for (size_t i = 0; i < cfg->devices.passthrough_address_count; i++) {
		const struct vm_passthrough_address *a = &cfg->devices.passthrough_addresses[i];
		add_window(windows, &count, "devices", "passthrough_addresses", i, a->gpa, a->length, a->line);
	}
	for (size_t i = 0; i < cfg->devices.emu_device_count; i++) {
		const struct vm_emu_device *d = &cfg->devices.emu_devices[i];
		if (config_emu_device_is_port(d))
			continue; /* port space: overlaps are refused by the port bus when the VM is created */
		add_window(windows, &count, "devices", "emu_devices", i, d->base_gpa, d->length, d->line);
	}
	for (size_t i = 0; i < count; i++) {
		const struct window *w = &windows[i];
		for (size_t j = 0; j < i; j++) {
			const struct window *o = &windows[j];
			if (!ranges_overlap(w->base, w->size, o->base, o->size))
				continue;
			format_snprintf(key, sizeof(key), "%s.%s[%zu]", w->section, w->array, w->index);
			error(c, w->line, key, "overlaps %s[%zu] (0x%llx..0x%llx)", o->array, o->index, ull(o->base),
			      ull(o->base + o->size));
		}
	}
}

int config_validate(const struct vm_config *config, const struct config_platform *platform,
		    struct config_reporter *reporter)
{
	struct check c = { .config = config, .platform = platform, .reporter = reporter };
	unsigned errors_before = reporter->errors;
	check_base(&c);
	check_phys_cpu_ids(&c);
	check_phys_cpu_sets(&c);
	check_memory(&c);
	check_images(&c);
	check_passthrough(&c);
	check_emulated(&c);
	check_overlaps(&c);
	return reporter->errors == errors_before ? 0 : -EINVAL;
}

/* Whether a device-tree path lies in the subtree of another ("/" holds every path). */
static bool path_within(const char *path, const char *top)
{
	size_t n = strlen(top);
	if (n > 0 && top[n - 1] == '/')
		n--;
	return strncmp(path, top, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* What two configs' passthrough_devices both claim: the same host page (MMIO is mapped by the
 * page), the same port, the same physical interrupt, or overlapping device-tree subtrees. A host
 * resource has one owner (vmm/host_resources.h); the rest is only known at boot. */
static void check_passthrough_against(const struct vm_config *config, const struct vm_config *b,
				      struct config_reporter *reporter)
{
	char key[KEY_MAX];
	for (size_t i = 0; i < config->devices.passthrough_device_count; i++) {
		const struct vm_passthrough_device *d = &config->devices.passthrough_devices[i];
		indexed(key, "devices.passthrough_devices", i);
		for (size_t k = 0; k < b->devices.passthrough_device_count; k++) {
			const struct vm_passthrough_device *e = &b->devices.passthrough_devices[k];
			const char *what = NULL;
			if (d->is_device_tree_path || e->is_device_tree_path) {
				if (d->is_device_tree_path && e->is_device_tree_path &&
				    (path_within(d->name, e->name) || path_within(e->name, d->name)))
					what = "device-tree node";
			} else if (config_name_is_port(d->name) != config_name_is_port(e->name)) {
				continue;
			} else if (config_name_is_port(d->name) ? ranges_overlap(d->base_hpa, d->length, e->base_hpa, e->length)
							       : ranges_overlap(ALIGN_DOWN(d->base_hpa, PAGE_SIZE),
										ALIGN_UP(d->base_hpa + d->length, PAGE_SIZE) - ALIGN_DOWN(d->base_hpa, PAGE_SIZE),
										ALIGN_DOWN(e->base_hpa, PAGE_SIZE),
										ALIGN_UP(e->base_hpa + e->length, PAGE_SIZE) - ALIGN_DOWN(e->base_hpa, PAGE_SIZE))) {
				what = config_name_is_port(d->name) ? "port" : "host page";
			} else if (d->irq && d->irq == e->irq) {
				what = "physical interrupt";
			}
			if (what)
				config_report(reporter, CONFIG_ERROR, config->file_name, d->line, key,
					      "'%s' claims a %s that %s:%u ('%s') claims too: a host device has one owner",
					      d->name, what, b->file_name, e->line, e->name);
		}
	}
}

/* A writable virtio-blk backend has one VM (vm_blk_backend.c claims its sectors at boot). */
static void check_backends_against(const struct vm_config *config, const struct vm_config *b,
				   struct config_reporter *reporter)
{
	char key[KEY_MAX];
	const char *why;
	for (size_t i = 0; i < config->devices.emu_device_count; i++) {
		const struct vm_emu_device *d = &config->devices.emu_devices[i];
		struct config_blk_backend mine, theirs;
		if (d->emu_type != VM_EMU_VIRTIO_BLOCK || config_blk_backend(d->name, &mine, &why) < 0)
			continue;
		indexed(key, "devices.emu_devices", i);
		for (size_t k = 0; k < b->devices.emu_device_count; k++) {
			const struct vm_emu_device *e = &b->devices.emu_devices[k];
			if (e->emu_type == VM_EMU_VIRTIO_BLOCK && config_blk_backend(e->name, &theirs, &why) == 0 &&
			    backends_clash(&mine, &theirs))
				config_report(reporter, CONFIG_ERROR, config->file_name, d->line, key,
					      "virtio-blk '%s' reaches sectors that %s:%u ('%s') reaches too, and one of them "
					      "writes: a writable backend has one VM", d->name, b->file_name, e->line, e->name);
		}
	}
}

int config_check_unique_against(const struct vm_config *config, const struct vm_config *others, size_t count,
				 struct config_reporter *reporter)
{
	unsigned errors_before = reporter->errors;
	for (size_t j = 0; j < count; j++) {
		const struct vm_config *b = &others[j];
		check_passthrough_against(config, b, reporter);
		check_backends_against(config, b, reporter);
		if (config->base.id.line && b->base.id.line && config->base.id.value == b->base.id.value)
			config_report(reporter, CONFIG_ERROR, config->file_name, config->base.id.line, "base.id",
				      "VM id %llu is also used by %s:%u", ull(config->base.id.value), b->file_name,
				      b->base.id.line);
		if (config->base.name.value && b->base.name.value && strcmp(config->base.name.value, b->base.name.value) == 0)
			config_report(reporter, CONFIG_ERROR, config->file_name, config->base.name.line, "base.name",
				      "VM name \"%.40s\" is also used by %s:%u", config->base.name.value, b->file_name,
				      b->base.name.line);
	}
	return reporter->errors == errors_before ? 0 : -EINVAL;
}

int config_check_unique(const struct vm_config *configs, size_t count, struct config_reporter *reporter)
{
	int rc = 0;
	/* Each clash is reported once, on the later config. */
	for (size_t i = 1; i < count; i++) {
		if (config_check_unique_against(&configs[i], configs, i, reporter))
			rc = -EINVAL;
	}
	return rc;
}

int config_check_image_fits(const struct vm_config *config, enum vm_image_kind kind, uint64_t size,
			    struct config_reporter *reporter)
{
	return config_check_image_fits_at(config, kind, config->kernel.images[kind].load_addr.value, size, reporter);
}

int config_check_image_fits_at(const struct vm_config *config, enum vm_image_kind kind, uint64_t base, uint64_t size,
			       struct config_reporter *reporter)
{
	const struct vm_image *image = &config->kernel.images[kind];
	char key[KEY_MAX];
	format_snprintf(key, sizeof(key), "kernel.%s_load_addr", config_image_kind_name(kind));
	uint32_t line = image->load_addr.line ? image->load_addr.line : image->path.line;
	if (size > 0 && range_is_valid(base, size) && in_guest_memory(config, base, size))
		return 0;
	config_report(reporter, CONFIG_ERROR, config->file_name, line, key,
		      "image of %llu bytes at 0x%llx..0x%llx does not fit in guest RAM", ull(size), ull(base),
		      ull(base + size));
	return -EINVAL;
}
