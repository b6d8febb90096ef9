/* SPDX-License-Identifier: Apache-2.0 */
/* Pieces shared by the config parser, validator and their users: the diagnostic line format and
 * the names of enumerated values. */
#include "lib/format.h"
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
	}
	return NULL;
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
