/* SPDX-License-Identifier: Apache-2.0 */
/* Pieces shared by the config parser, validator and their users: the diagnostic line format and
 * the names of enumerated values, virtio block backends' names. */
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"
#include "vmm/config.h"

void config_report(struct config_reporter *reporter, enum config_severity severity, const char *file_name,
		   uint32_t line, const char *key, const char *fmt, ...)
{
	char message[CONFIG_MESSAGE_MAX];
	int n = line ? format_snprintf(message, sizeof(message), "%s:%u: %s: ", file_name, line, key)
		     : format_snprintf(message, sizeof(message), "%s: %s: ", file_name, key);
	if (n >= 0 && (size_t)n < sizeof(message)) {
		va_list ap;
		va_start(ap, fmt);
		format_vsnprintf(message + n, sizeof(message) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	if (severity == CONFIG_ERROR)
		reporter->errors++;
	else
		reporter->warnings++;
	reporter->report(reporter->ctx, severity, message);
}

const char *config_image_kind_name(enum vm_image_kind kind)
{
	switch (kind) {
	case VM_IMAGE_KERNEL: return "kernel";
	case VM_IMAGE_DTB: return "dtb";
	case VM_IMAGE_BIOS: return "bios";
	case VM_IMAGE_RAMDISK: return "ramdisk";
	case VM_IMAGE_KIND_COUNT: break;
	}
	return "?";
}

const char *config_interrupt_mode_name(enum vm_interrupt_mode mode)
{
	switch (mode) {
	case VM_INTERRUPTS_NONE: return "no_irq";
	case VM_INTERRUPTS_EMULATED: return "emu";
	case VM_INTERRUPTS_PASSTHROUGH: return "passthrough";
	}
	return "?";
}

const char *config_emu_type_name(uint64_t emu_type)
{
	switch (emu_type) {
	case VM_EMU_DUMMY: return "dummy";
	case VM_EMU_INTERRUPT_CONTROLLER: return "irq-controller";
	case VM_EMU_CONSOLE: return "uart";
	case VM_EMU_IVC_CHANNEL: return "ivc";
	case VM_EMU_GPPT_REDISTRIBUTOR: return "gicr-partial";
	case VM_EMU_GPPT_DISTRIBUTOR: return "gicd-partial";
	case VM_EMU_GPPT_ITS: return "its-partial";
	case VM_EMU_VIRTIO_BLOCK: return "virtio-blk";
	case VM_EMU_VIRTIO_NET: return "virtio-net";
	case VM_EMU_VIRTIO_CONSOLE: return "virtio-console";
	case VM_EMU_VIRTIO_POWER_BUTTON: return "virtio-input power button";
	}
	return NULL;
}

bool config_emu_type_is_virtio(uint64_t emu_type)
{
	return emu_type == VM_EMU_VIRTIO_BLOCK || emu_type == VM_EMU_VIRTIO_NET || emu_type == VM_EMU_VIRTIO_CONSOLE ||
	       emu_type == VM_EMU_VIRTIO_POWER_BUTTON;
}

bool config_emu_device_is_port(const struct vm_emu_device *device)
{
	return config_name_is_port(device->name);
}

bool config_name_is_port(const char *name)
{
	const char *prefix = CONFIG_PORT_DEVICE_PREFIX;
	if (!name)
		return false;
	while (*prefix && *name == *prefix) {
		prefix++;
		name++;
	}
	return *prefix == '\0';
}

/* A decimal number of at most 3 digits at *p; advances past it. */
static bool parse_small_number(const char **p, unsigned *out)
{
	unsigned n = 0, digits = 0;
	while (**p >= '0' && **p <= '9' && digits < 3) {
		n = n * 10 + (unsigned)(**p - '0');
		(*p)++;
		digits++;
	}
	*out = n;
	return digits > 0 && !(**p >= '0' && **p <= '9');
}

int config_blk_backend(const char *device_name, struct config_blk_backend *out, const char **why)
{
	const char *at = device_name ? strchr(device_name, '@') : NULL;
	memset(out, 0, sizeof(*out));
	if (!at || !at[1]) {
		*why = "no backend named: write it after '@' (\"vda@disk1p2\", \"vda@/guest/root.img\")";
		return -EINVAL;
	}
	const char *spec = at + 1;
	size_t length = strlen(spec);
	if (length >= 3 && strcmp(spec + length - 3, ":ro") == 0) {
		out->read_only = true;
		length -= 3;
	}
	if (spec[0] == '/') {
		if (length > CONFIG_BLK_PATH_MAX) {
			*why = "the backend's path is too long";
			return -EINVAL;
		}
		out->kind = CONFIG_BLK_FILE;
		memcpy(out->path, spec, length);
		out->path[length] = 0;
		return 0;
	}
	const char *p = spec;
	if (strncmp(p, "disk", 4) != 0 || (p += 4, !parse_small_number(&p, &out->disk))) {
		*why = "the backend is neither diskN, diskNpM nor an absolute path on the hypervisor's disk";
		return -EINVAL;
	}
	out->kind = CONFIG_BLK_DISK;
	if (*p == 'p') {
		p++;
		if (!parse_small_number(&p, &out->partition) || out->partition == 0) {
			*why = "partitions are numbered from 1 (diskNpM)";
			return -EINVAL;
		}
		out->kind = CONFIG_BLK_PARTITION;
	}
	if ((size_t)(p - spec) != length) {
		*why = "the backend is neither diskN, diskNpM nor an absolute path on the hypervisor's disk";
		return -EINVAL;
	}
	return 0;
}

void config_blk_backend_name(const struct config_blk_backend *b, char *out, size_t size)
{
	const char *ro = b->read_only ? ":ro" : "";
	if (b->kind == CONFIG_BLK_FILE)
		format_snprintf(out, size, "%s%s", b->path, ro);
	else if (b->kind == CONFIG_BLK_PARTITION)
		format_snprintf(out, size, "disk%up%u%s", b->disk, b->partition, ro);
	else
		format_snprintf(out, size, "disk%u%s", b->disk, ro);
}

bool config_blk_backends_overlap(const struct config_blk_backend *a, const struct config_blk_backend *b)
{
	if (a->kind == CONFIG_BLK_FILE || b->kind == CONFIG_BLK_FILE)
		return a->kind == b->kind && strcmp(a->path, b->path) == 0;
	if (a->disk != b->disk)
		return false;
	return a->kind == CONFIG_BLK_DISK || b->kind == CONFIG_BLK_DISK || a->partition == b->partition;
}

static bool is_segment_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int config_net_port(const struct vm_config *config, size_t index, struct config_net_port *out, const char **why)
{
	const struct vm_emu_device *device = &config->devices.emu_devices[index];
	unsigned nic = 0;
	for (size_t i = 0; i < index; i++)
		nic += config->devices.emu_devices[i].emu_type == VM_EMU_VIRTIO_NET;
	memset(out, 0, sizeof(*out));
	const char *at = device->name ? strchr(device->name, '@') : NULL;
	const char *segment = at ? at + 1 : CONFIG_NET_DEFAULT_SEGMENT;
	size_t length = strlen(segment);
	for (size_t i = 0; i < length; i++)
		if (!is_segment_char(segment[i]))
			length = 0;
	if (length == 0 || length > CONFIG_NET_SEGMENT_MAX) {
		*why = "the switch segment after '@' is not 1-15 letters, digits, '-' or '_' (\"eth0@lan\")";
		return -EINVAL;
	}
	memcpy(out->segment, segment, length);
	if (device->config_count > 2) {
		*why = "a virtio-net device takes at most two config words, its MAC and its broadcast/multicast "
		       "frames a second";
		return -EINVAL;
	}
	uint64_t mac = device->config_count ? device->config[0] : 0;
	if (mac == 0) /* derived: locally administered, 02:74:73 ("ts"), the VM id, the NIC's place */
		mac = 0x027473000000ull | (config->base.id.value & 0xffff) << 8 | (nic & 0xff);
	if (mac >> 48 || (mac >> 40) & 1) {
		*why = "the MAC (the first config word) is not a station's: 48 bits, the first octet's group bit "
		       "clear (0x02_00_00_00_00_01 is 02:00:00:00:00:01; 0 derives one)";
		return -EINVAL;
	}
	if (device->config_count > 1) {
		uint64_t storm = device->config[1];
		if (storm == 0 || storm > CONFIG_NET_STORM_MAX) {
			*why = "the broadcast/multicast frames a second (the second config word) are not 1 to 1000000";
			return -EINVAL;
		}
		out->storm_per_second = (uint32_t)storm;
	}
	for (unsigned i = 0; i < 6; i++)
		out->mac[i] = (uint8_t)(mac >> (8 * (5 - i)));
	return 0;
}
