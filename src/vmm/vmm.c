/* SPDX-License-Identifier: Apache-2.0 */
/* The VMM entry point (see vmm/vmm.h): reads the built-in configs, then those in /guest/vm_default/
 * on the disk (include/fs/disk.h), creates and starts each VM, and then either runs the shell or
 * waits until every VM has stopped. A config or VM that fails is reported and skipped; the others
 * still start. Also makes VMs from configs on the disk at run time (the shell's `vm create`). */
#include "vmm/vmm.h"
#include "arch/cpu.h"
#include "vmm/builtin.h"
#include "vmm/vm.h"
#include "vmm/vm_list.h"
#include "vmm/console_focus.h"
#include "drivers/block.h"
#include "fs/disk.h"
#include "kernel/platform.h"
#include "lib/string.h"
#include "lib/format.h"
#include "kernel/console.h"
#include "kernel/log.h"
#include "lib/errno.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"

static struct vm_config configs[VM_MAX];
static uint64_t hwids[MAX_CPUS];
static struct config_platform platform;

/* Configs read from the disk, kept until they are parsed into the config set. */
struct disk_config {
	char *path;
	char *text;
	size_t length;
};
static struct disk_config disk_configs[VM_MAX];
static unsigned disk_config_count;

static char *copy_string(const char *s, size_t length)
{
	char *copy = kmalloc(length + 1);
	if (copy) {
		memcpy(copy, s, length);
		copy[length] = 0;
	}
	return copy;
}

static void keep_disk_config(void *ctx, const char *path, const char *text, size_t length)
{
	if (disk_config_count == VM_MAX) {
		log_error("%s: skipped: only %d VMs can be configured", path, VM_MAX);
		return;
	}
	struct disk_config *c = &disk_configs[disk_config_count];
	c->path = copy_string(path, strlen(path));
	c->text = copy_string(text, length);
	c->length = length;
	if (c->path && c->text) {
		disk_config_count++;
		return;
	}
	log_error("%s: skipped: no memory to keep it", path);
	kfree(c->path);
	kfree(c->text);
}

static size_t config_arena_size(void)
{
	size_t text = 0;
	for (size_t i = 0; i < builtin_vm_config_count; i++)
		text += builtin_vm_configs[i].length;
	for (unsigned i = 0; i < disk_config_count; i++)
		text += disk_configs[i].length;
	return 16 * text + 4096;
}

/* One of the hypervisor's own resources. A claim that fails (a full table, a range the platform
 * describes wrong) is logged: a VM could then be given what the hypervisor uses. */
static void claim_own(enum host_resource_kind kind, uint64_t base, uint64_t size, const char *what,
		      bool shareable)
{
	struct host_claim holder;
	int err = host_resource_claim(kind, base, size, HOST_OWNER_HYPERVISOR, "the hypervisor", what,
				      shareable, &holder);
	if (err < 0)
		log_error("cannot keep %s (%s %#llx, size %#llx) from VMs: %d", what,
			  kind == HOST_IRQ ? "interrupt" : "MMIO", (unsigned long long)base,
			  (unsigned long long)size, err);
}

/* What no VM may be given (vmm/host_resources.h): the hypervisor's interrupt controller and its
 * disk. Its console UART may be, with a warning: the hypervisor keeps writing its lines there. */
static void claim_hypervisor_resources(void)
{
	const struct boot_info *info = platform_boot_info;
	for (unsigned i = 0; info && i < info->irqchip.reg_count; i++)
		if (info->irqchip.sizes[i])
			claim_own(HOST_MMIO, info->irqchip.regs[i], info->irqchip.sizes[i],
				  "its interrupt controller", false);
	if (info && info->console.kind != UART_NONE && info->console.kind != UART_NS16550_PIO)
		claim_own(HOST_MMIO, info->console.base, 1, "its console", true);
	if (info && info->console.irq)
		claim_own(HOST_IRQ, info->console.irq, 1, "its console", true);
	struct block_device *disk = block_disk();
	if (disk && disk->mmio_size)
		claim_own(HOST_MMIO, disk->mmio_base, disk->mmio_size, "its disk", false);
}

static void describe_platform(void)
{
	for (unsigned i = 0; i < cpus_possible; i++)
		hwids[i] = percpu_of(i)->hwid;
	platform = (struct config_platform){
		.cpu_count = cpus_possible,
		.cpu_hardware_ids = hwids,
		.cpu_hardware_id_count = cpus_possible,
	};
}

/* Lists a VM just made; one that cannot be (its id is taken, VM_MAX exist) is logged and deleted. */
static int list_new_vm(struct vm *vm)
{
	int err = vm_list_add(vm);
	if (err < 0) {
		vm_log_error(vm, "cannot be listed (%d): deleted", err);
		(void)vm_delete(vm); /* it never started: deleting a created VM cannot fail */
	}
	return err;
}

/* A config for `vm create`, with the arena its strings live in: one allocation, freed with the VM. */
struct owned_config {
	struct vm_config config;
	char path[VMM_PATH_MAX];     /* config.file_name points here */
	char arena[];
};

int vmm_create_from_text(const char *path, const char *text, size_t length, struct vm **out)
{
	size_t arena_size = 16 * length + 4096;
	struct owned_config *owned = kzalloc(sizeof(*owned) + arena_size);
	if (!owned)
		return -ENOMEM;
	/* Checked against the configs of the VMs that exist, as the boot's are against each other. */
	struct vm *existing[VM_MAX];
	unsigned count = vm_list_snapshot(existing, VM_MAX);
	struct vm_config *set_configs = kmalloc(sizeof(*set_configs) * (count + 1));
	if (!set_configs) {
		kfree(owned);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < count; i++)
		set_configs[i] = *existing[i]->config;
	struct vmm_config_set set;
	vmm_config_set_init(&set, &platform, set_configs, (int)count + 1, owned->arena, arena_size);
	set.count = (int)count;
	format_snprintf(owned->path, sizeof(owned->path), "%s", path);
	int err = vmm_config_set_add(&set, owned->path, text, length);
	if (err == 0)
		owned->config = set_configs[count];
	kfree(set_configs);
	struct vm *vm = err == 0 ? vm_create(&owned->config) : NULL;
	if (!vm) {
		kfree(owned);
		return err < 0 ? err : -EINVAL;
	}
	vm->owned_config = owned;
	err = list_new_vm(vm);
	if (err < 0)
		return err;
	console_focus_add(vm);
	*out = vm;
	return 0;
}

static bool all_stopped(struct vm *const *vms, unsigned count)
{
	for (unsigned i = 0; i < count; i++)
		if (!__atomic_load_n(&vms[i]->finished, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

void vmm_run(void (*shell_input)(char c))
{
	bool with_shell = shell_input != NULL;
	describe_platform();
	/* An unreadable disk is logged there, and keep_disk_config counts what was read: the VMs of
	 * those configs and of the built-in ones run either way. */
	(void)disk_read_configs(keep_disk_config, NULL);
	claim_hypervisor_resources();
	size_t arena_size = config_arena_size();
	void *arena = kmalloc(arena_size);
	if (!arena) {
		log_error("no memory to read the VM configs");
		return;
	}
	/* The disk's configs come after the built-in ones, in the same set (AxVisor's order). */
	struct vmm_config_set set;
	vmm_config_set_init(&set, &platform, configs, VM_MAX, arena, arena_size);
	vmm_config_set_add_builtin(&set);
	for (unsigned i = 0; i < disk_config_count; i++) {
		log_info("Read VM config %s from the disk", disk_configs[i].path);
		/* A config it skips, it logs; the others are added all the same. */
		(void)vmm_config_set_add(&set, disk_configs[i].path, disk_configs[i].text,
					 disk_configs[i].length);
		kfree(disk_configs[i].text);
	}
	int count = set.count;
	if (count <= 0 && !with_shell) {
		log_info("No VM to run");
		return;
	}
	if (with_shell)
		console_focus_init(shell_input);
	struct vm *vms[VM_MAX];
	unsigned created = 0;
	for (int i = 0; i < count; i++) {
		struct vm *vm = vm_create(&configs[i]);
		if (vm && list_new_vm(vm) == 0) {
			/* Without the shell, this task waits for the VMs to stop (below). */
			vm->waiter = with_shell ? NULL : task_current();
			vms[created++] = vm;
		}
	}
	for (unsigned i = 0; i < created; i++)
		console_focus_add(vms[i]);
	int err = console_set_input_handler(console_focus_input);
	if (err == -EBUSY)
		log_info("No console input through Tessera: a VM owns the console UART's interrupt");
	else if (err < 0)
		log_info("No console input for guests: the console UART gives no receive interrupt");
	/* Only the VMs that started are waited for: one that did not will never stop. They start
	 * together: first each is made ready and logged, then, with interrupts masked, their boot
	 * vCPUs are woken in one tight loop, so that no VM started on this CPU takes it (at the end of
	 * this task's slice) before the next is started, and no console line (whose lock a CPU busy
	 * printing a guest's line may hold) comes between two starts: both spread sixteen starts over
	 * 80 to 130 ms. */
	unsigned started = 0;
	for (unsigned i = 0; i < created; i++) {
		err = vm_start_prepare(vms[i]);
		if (err < 0)
			vm_log_error(vms[i], "cannot start: %d", err);
		else
			vms[started++] = vms[i];
	}
	unsigned long flags = arch_irq_save();
	for (unsigned i = 0; i < started; i++)
		vm_start_boot_vcpu(vms[i]);
	arch_irq_restore(flags);
	if (with_shell)
		return; /* the shell manages them from here */
	while (!all_stopped(vms, started))
		task_sleep();
	log_info("All VMs have stopped");
}
