/* SPDX-License-Identifier: Apache-2.0 */
/* A VM's devices from its config: passthrough windows mapped GPA = HPA (or GPA -> HPA for the
 * explicit form) as device memory once the VM owns their host pages (vmm/host_resources.h),
 * device-tree passthrough (vmm/dt_passthrough.h), and emulated devices on the VM's buses. */
#include "vmm/vm_internal.h"
#include "vmm/dt_passthrough.h"
#include "vmm/host_resources.h"
#include "vdev/models.h"
#include "vdev/virtio_blk.h"
#include "vdev/virtio_console.h"
#include "vdev/virtio_input.h"
#include "vdev/virtio_mmio.h"
#include "vdev/virtio_net.h"
#include "virt/arch_vm.h"
#include "drivers/block.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/platform.h"
#include "lib/errno.h"
#include "lib/fdt.h"
#include "lib/format.h"
#include "lib/string.h"

int vm_claim_host_resource(struct vm *vm, enum host_resource_kind kind, uint64_t base, uint64_t size,
			   const char *what)
{
	char owner[48];
	struct host_claim holder;
	format_snprintf(owner, sizeof(owner), "VM[%u] %s", vm->id, vm->name);
	int err = host_resource_claim(kind, base, size, vm->id, owner, what, false, &holder);
	const char *unit = kind == HOST_MMIO ? "host page" : "physical interrupt";
	if (err == HOST_CLAIM_SHARED) {
		vm_log_warn(vm, kind == HOST_MMIO ? "%s is the hypervisor's console UART too: both write to it"
						  : "%s is the hypervisor's console interrupt: typed input goes to this VM",
			    what);
		return 0;
	}
	if (err == -EBUSY)
		vm_log_error(vm, "%s: %s %#llx is %s's (%s)", what, unit,
			     (unsigned long long)(kind == HOST_MMIO ? MAX(holder.first, ALIGN_DOWN(base, PAGE_SIZE)) : base),
			     holder.owner_name, holder.what);
	else if (err < 0)
		vm_log_error(vm, "%s: cannot claim [%#llx, +%#llx): %d", what, (unsigned long long)base,
			     (unsigned long long)size, err);
	return err;
}

/* Arches whose passthrough windows never name their VMs' interrupt controllers. */
__attribute__((weak)) const char *arch_vm_irqchip_window(gpa_t gpa, uint64_t size)
{
	(void)gpa;
	(void)size;
	return NULL;
}

static int map_device_window(struct vm *vm, const char *what, gpa_t gpa, hpa_t hpa, uint64_t length)
{
	const char *irqchip = gpa == hpa ? arch_vm_irqchip_window(gpa, length) : NULL;
	if (irqchip) {
		vm_log_info(vm, "%s [%#llx, +%#llx) is served by the VM's own %s: the host's interrupt controller "
			    "stays the hypervisor's", what, (unsigned long long)gpa, (unsigned long long)length, irqchip);
		return 0;
	}
	int err = vm_claim_host_resource(vm, HOST_MMIO, hpa, length, what);
	if (err < 0)
		return err;
	gpa_t start = ALIGN_DOWN(gpa, PAGE_SIZE);
	uint64_t size = ALIGN_UP(gpa + length, PAGE_SIZE) - start;
	err = arch_gpt_map(vm, start, ALIGN_DOWN(hpa, PAGE_SIZE), size, GPT_READ | GPT_WRITE | GPT_DEVICE);
	if (err < 0)
		vm_log_error(vm, "cannot pass through %s [%#llx, +%#llx): %d", what,
			     (unsigned long long)gpa, (unsigned long long)length, err);
	return err;
}

/* Arches without nodes of their own to keep from a VM. */
__attribute__((weak)) bool arch_dt_node_is_kept(const void *fdt, int node)
{
	(void)fdt;
	(void)node;
	return false;
}

/* The device-tree paths among passthrough_devices (AxVisor's semantics, vmm/dt_passthrough.h):
 * the nodes chosen, then every MMIO window of theirs mapped GPA = HPA. A node's interrupts are
 * routed when the arch builds the VM's interrupt controller; the nodes are copied into its
 * generated device tree. */
static int pass_through_device_tree(struct vm *vm)
{
	const void *fdt = platform_boot_info ? platform_boot_info->fdt : NULL;
	struct dt_window busy[1 + VDEV_BUS_MAX + VM_MAX_MEMORY_REGIONS];
	size_t busy_count = 0;
	struct block_device *disk = block_disk();
	if (disk && disk->mmio_size)
		busy[busy_count++] = (struct dt_window){ disk->mmio_base, disk->mmio_size, "the hypervisor's disk" };
	for (unsigned i = 0; i < vm->mmio_bus.count; i++) {
		const struct vdev *dev = vm->mmio_bus.devices[i];
		busy[busy_count++] = (struct dt_window){ dev->base, dev->size, dev->name };
	}
	/* Windows are mapped GPA = HPA: none may land on the VM's own RAM. */
	for (unsigned i = 0; i < vm->ram_count; i++)
		busy[busy_count++] = (struct dt_window){ vm->ram[i].gpa, vm->ram[i].size, "the VM's RAM" };
	struct dt_passthrough_rules rules = { .kept = arch_dt_node_is_kept, .irqchip = -1, .busy = busy,
					      .busy_count = busy_count };
	if (platform_boot_info)
		rules.irqchip = platform_boot_info->irqchip.fdt_node;
	bool any = false;
	for (size_t e = 0; e < vm->config->devices.passthrough_device_count; e++)
		any |= vm->config->devices.passthrough_devices[e].is_device_tree_path;
	if (any && !fdt) {
		vm_log_error(vm, "device-tree passthrough needs a host device tree, and this machine has none");
		return -ENOENT;
	}
	int err = dt_passthrough_select(&vm->dt, fdt, vm->config, &rules);
	for (unsigned i = 0; err == 0 && i < vm->dt.count; i++) {
		/* A disabled node ("status" not "okay") is copied as it is, but nothing of it is used. */
		if (!dt_passthrough_is_passed(&vm->dt, i) || !fdt_node_is_available(fdt, vm->dt.offsets[i]))
			continue;
		char what[80];
		format_snprintf(what, sizeof(what), "host node '%s'", fdt_node_name(fdt, vm->dt.offsets[i]));
		const struct dt_range *windows;
		unsigned n = dt_passthrough_windows(&vm->dt, i, &windows);
		for (unsigned w = 0; err == 0 && w < n; w++)
			err = map_device_window(vm, what, windows[w].base, windows[w].base, windows[w].size);
	}
	if (err == 0 && vm->dt.passed)
		vm_log_info(vm, "%u host device-tree node(s) passed through", vm->dt.passed);
	return err;
}

/* Whether needle occurs in haystack. */
static bool strstr_simple(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);
	for (; haystack && *haystack; haystack++)
		if (strncmp(haystack, needle, n) == 0)
			return true;
	return false;
}

/* Interrupt controllers are built by the arch once the vCPUs exist (arch_vm_create_irqchip). */
static bool is_interrupt_controller(uint64_t emu_type)
{
	return emu_type == VM_EMU_INTERRUPT_CONTROLLER || emu_type == VM_EMU_GPPT_DISTRIBUTOR ||
	       emu_type == VM_EMU_GPPT_REDISTRIBUTOR || emu_type == VM_EMU_GPPT_ITS;
}

/* Where src/vdev/pl011.c is not built (every arch but aarch64, whose guests alone drive a PL011),
 * a console the config does not name a 16550 gets this instead of the model. */
__attribute__((weak)) struct vdev *vdev_pl011_create(struct vm *vm, const struct vm_emu_device *emu)
{
	vm_log_error(vm, "%s:%u: console '%s': no PL011 on " ARCH_NAME " (a 16550 needs 16550 or uart8250 in the name)",
		     vm->config->file_name, emu->line, emu->name);
	return NULL;
}

/* Where the arch's guests do not look for virtio devices elsewhere: virtio-mmio. */
__attribute__((weak)) struct vdev *arch_vm_virtio_transport(struct vm *vm, struct virtio_vdev *v,
							    const struct vm_emu_device *emu)
{
	(void)vm;
	return virtio_mmio_create(v, emu->base_gpa, emu->length);
}

/* The device on the arch's transport; NULL (the device freed) when either could not be made. */
static struct vdev *on_transport(struct vm *vm, struct virtio_vdev *v, const struct vm_emu_device *emu)
{
	if (!v)
		return NULL;
	struct vdev *dev = arch_vm_virtio_transport(vm, v, emu);
	if (!dev)
		virtio_vdev_destroy(v);
	return dev;
}

static struct vdev *create_virtio_blk(struct vm *vm, const struct vm_emu_device *emu)
{
	struct vblk_backend *backend = vm_blk_backend_open(vm, emu);
	if (!backend)
		return NULL;
	struct virtio_vdev *v = virtio_blk_create(vm, emu->name, (unsigned)emu->irq, backend);
	if (!v) {
		backend->close(backend);
		return NULL;
	}
	return on_transport(vm, v, emu);
}

/* Whether the guest's kernel will take a virtio console for its console: Linux's /dev/console is
 * the last console= of its command line (Documentation/admin-guide/serial-console.rst), and a
 * virtio console's port is hvcN to it. */
static bool cmdline_console_is_hvc(const char *cmdline)
{
	const char *last = NULL;
	for (const char *p = cmdline; p && *p; p++)
		if ((p == cmdline || p[-1] == ' ') && strncmp(p, "console=", 8) == 0)
			last = p + 8;
	return last && strncmp(last, "hvc", 3) == 0;
}

/* A VM has one typed-input channel. A virtio console takes it from a UART (whichever comes first
 * in the config, the default console included) when the command line makes it the guest's
 * console; otherwise the first console device of the config keeps it, as between two UARTs. Of
 * several virtio consoles, the first takes it. */
static struct vdev *create_virtio_console(struct vm *vm, const struct vm_emu_device *emu)
{
	struct virtio_vdev *v = virtio_console_create(vm, emu->name, (unsigned)emu->irq);
	struct vdev *dev = on_transport(vm, v, emu);
	if (!dev)
		return NULL;
	bool guest_console = cmdline_console_is_hvc(vm->config->kernel.cmdline.value);
	if (guest_console && vm->console_rx != virtio_console_input)
		vm_take_console_input(vm, virtio_console_input, v);
	else
		vm_set_console_input(vm, virtio_console_input, v);
	vm_log_info(vm, "%s: virtio-console%s; typed input goes to %s", emu->name,
		    guest_console ? " (console=hvc on the command line)" : "",
		    vm->console_rx_device == v ? "it" : "the console named before it");
	return dev;
}

/* A NIC, a port of the switch segment its name gives (config_net_port): every VM's NIC on that
 * segment shares the one switch inside the hypervisor. */
static struct vdev *create_virtio_net(struct vm *vm, const struct vm_emu_device *emu)
{
	const struct vm_config *config = vm->config;
	struct config_net_port port;
	const char *why;
	if (config_net_port(config, (size_t)(emu - config->devices.emu_devices), &port, &why) < 0) {
		vm_log_error(vm, "%s:%u: virtio-net '%s': %s", config->file_name, emu->line, emu->name, why);
		return NULL;
	}
	struct vswitch *segment = vswitch_get(port.segment);
	if (!segment) {
		vm_log_error(vm, "%s:%u: virtio-net '%s': no switch segment '%s': %u segments are in use",
			     config->file_name, emu->line, emu->name, port.segment, VSWITCH_SEGMENTS_MAX);
		return NULL;
	}
	struct virtio_vdev *v = virtio_net_create(vm, emu->name, (unsigned)emu->irq, segment, port.mac,
						  port.storm_per_second, &why);
	if (!v) {
		vswitch_put(segment);
		vm_log_error(vm, "%s:%u: virtio-net '%s': %s", config->file_name, emu->line, emu->name, why);
		return NULL;
	}
	struct vdev *dev = on_transport(vm, v, emu);
	if (!dev)
		return NULL;
	const uint8_t *m = port.mac;
	vm_log_info(vm, "%s: virtio-net on switch %s, MAC %02x:%02x:%02x:%02x:%02x:%02x, at most %u broadcast/multicast "
		    "frames a second", emu->name, port.segment, m[0], m[1], m[2], m[3], m[4], m[5],
		    vswitch_storm_per_second(port.storm_per_second));
	return dev;
}

/* A virtio-input power button: what `vm stop` presses (vmm/power_button.h). */
static struct vdev *create_virtio_power_button(struct vm *vm, const struct vm_emu_device *emu)
{
	struct virtio_vdev *v = virtio_power_button_create(vm, emu->name, (unsigned)emu->irq);
	struct vdev *dev = on_transport(vm, v, emu);
	if (dev)
		vm_set_power_button(vm, virtio_power_button_press, v, "virtio-input power button");
	return dev;
}

static struct vdev *create_emulated(struct vm *vm, const struct vm_emu_device *emu)
{
	switch (emu->emu_type) {
	case VM_EMU_DUMMY:
		return vdev_dummy_create(vm, emu);
	case VM_EMU_VIRTIO_BLOCK:
		return create_virtio_blk(vm, emu);
	case VM_EMU_VIRTIO_CONSOLE:
		return create_virtio_console(vm, emu);
	case VM_EMU_VIRTIO_NET:
		return create_virtio_net(vm, emu);
	case VM_EMU_VIRTIO_POWER_BUTTON:
		return create_virtio_power_button(vm, emu);
	case VM_EMU_CONSOLE:
		/* AxVisor has one console type; the model follows the name the config gives it. */
		if (strstr_simple(emu->name, "16550") || strstr_simple(emu->name, "uart8250"))
			return vdev_ns16550_create(vm, emu);
		return vdev_pl011_create(vm, emu);
	default:
		vm_log_error(vm, "%s:%u: emulated device '%s' (emu_type %#llx, %s) is not supported yet",
			     vm->config->file_name, emu->line, emu->name, (unsigned long long)emu->emu_type,
			     config_emu_type_name(emu->emu_type));
		return NULL;
	}
}

/* Arches whose VMs have no devices beyond their config's and their interrupt controller. */
__attribute__((weak)) int arch_vm_create_platform(struct vm *vm)
{
	(void)vm;
	return 0;
}

static int add_emulated(struct vm *vm, const struct vm_emu_device *emu)
{
	struct vdev *dev = create_emulated(vm, emu);
	if (!dev)
		return -ENODEV;
	struct vdev *conflict = NULL;
	bool port = config_emu_device_is_port(emu);
	int err = vdev_bus_add(port ? &vm->pio_bus : &vm->mmio_bus, dev, &conflict);
	if (err < 0) {
		vm_log_error(vm, "emulated device '%s' at %s%#llx overlaps '%s'", emu->name, port ? "port " : "",
			     (unsigned long long)emu->base_gpa, conflict ? conflict->name : "?");
		if (dev->ops->destroy)
			dev->ops->destroy(dev);
		else
			kfree(dev->priv);
	}
	return err;
}

/* Every VM shows what it prints (devices.console = "auto", the default): one whose config names no
 * console (no UART, no virtio console) gets an emulated UART where its machine usually has one,
 * unless something of its own is there already (a UART passed through, by window or device-tree
 * node). "none" opts out. */
static int give_a_console(struct vm *vm)
{
	const struct vm_config *config = vm->config;
	if (config->devices.console.value == VM_CONSOLE_NONE)
		return 0;
	for (size_t i = 0; i < config->devices.emu_device_count; i++)
		if (config->devices.emu_devices[i].emu_type == VM_EMU_CONSOLE ||
		    config->devices.emu_devices[i].emu_type == VM_EMU_VIRTIO_CONSOLE)
			return 0;
	struct vm_emu_device console;
	arch_vm_default_console(&console);
	bool port = config_emu_device_is_port(&console);
	hpa_t hpa;
	if (vdev_bus_find(port ? &vm->pio_bus : &vm->mmio_bus, console.base_gpa, 1) ||
	    (!port && arch_gpt_translate(vm, console.base_gpa, &hpa) == 0))
		return 0;
	for (size_t i = 0; i < config->devices.passthrough_device_count; i++) {
		const struct vm_passthrough_device *pt = &config->devices.passthrough_devices[i];
		if (!pt->is_device_tree_path && config_name_is_port(pt->name) == port && pt->base_gpa <= console.base_gpa &&
		    console.base_gpa - pt->base_gpa < pt->length)
			return 0;
	}
	vm->default_console = console;
	int err = add_emulated(vm, &vm->default_console);
	if (err == 0)
		vm_log_info(vm, "its config names no console, so it gets one: an emulated %s at %s%#llx, interrupt %llu "
			    "(devices.console = \"none\" would leave it without)", console.name + (port ? sizeof(CONFIG_PORT_DEVICE_PREFIX) - 1 : 0), port ? "port " : "",
			    (unsigned long long)console.base_gpa, (unsigned long long)console.irq);
	return err;
}

int vm_setup_devices(struct vm *vm)
{
	const struct vm_config *config = vm->config;
	for (size_t i = 0; i < config->devices.passthrough_device_count; i++) {
		const struct vm_passthrough_device *pt = &config->devices.passthrough_devices[i];
		if (config_name_is_port(pt->name))
			continue; /* port space: the arch grants those ports in arch_vm_init */
		if (pt->is_device_tree_path)
			continue; /* pass_through_device_tree, once the emulated devices are known */
		int err = map_device_window(vm, pt->name, pt->base_gpa, pt->base_hpa, pt->length);
		if (err < 0)
			return err;
	}
	for (size_t i = 0; i < config->devices.passthrough_address_count; i++) {
		const struct vm_passthrough_address *pa = &config->devices.passthrough_addresses[i];
		int err = map_device_window(vm, "address window", pa->gpa, pa->gpa, pa->length);
		if (err < 0)
			return err;
	}
	for (size_t i = 0; i < config->devices.emu_device_count; i++) {
		const struct vm_emu_device *emu = &config->devices.emu_devices[i];
		if (is_interrupt_controller(emu->emu_type))
			continue; /* the arch's: arch_vm_create_irqchip */
		if (emu->emu_type == VM_EMU_IVC_CHANNEL)
			continue; /* a window for channels, filled by IVC hypercalls (vmm/ivc.c) */
		int err = add_emulated(vm, emu);
		if (err < 0)
			return err;
	}
	int err = arch_vm_create_platform(vm);
	if (err == 0)
		err = pass_through_device_tree(vm);
	return err < 0 ? err : give_a_console(vm);
}

/* Calls a device op (reset, report) of every device of the VM's buses that has it. */
static void each_device(struct vm *vm, bool report)
{
	struct vdev_bus *buses[] = { &vm->mmio_bus, &vm->pio_bus };
	for (unsigned b = 0; b < ARRAY_SIZE(buses); b++) {
		for (unsigned i = 0; i < buses[b]->count; i++) {
			struct vdev *dev = buses[b]->devices[i];
			void (*op)(struct vdev *) = report ? dev->ops->report : dev->ops->reset;
			if (op)
				op(dev);
		}
	}
}

void vm_reset_devices(struct vm *vm)
{
	each_device(vm, false);
}

void vm_report_devices(struct vm *vm)
{
	each_device(vm, true);
}

void vm_release_devices(struct vm *vm)
{
	dt_passthrough_free(&vm->dt);
	host_resource_release(vm->id);
	struct vdev_bus *buses[] = { &vm->mmio_bus, &vm->pio_bus };
	for (unsigned b = 0; b < ARRAY_SIZE(buses); b++) {
		for (unsigned i = 0; i < buses[b]->count; i++) {
			struct vdev *dev = buses[b]->devices[i];
			if (dev->ops->destroy)
				dev->ops->destroy(dev);
			else
				kfree(dev->priv);
		}
		vdev_bus_init(buses[b]);
	}
}
