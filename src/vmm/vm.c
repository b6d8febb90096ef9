/* SPDX-License-Identifier: Apache-2.0 */
/* VM lifecycle (see vmm/vm.h): create from a config, start, stop, reset; the tagged console and
 * the once-per-address report of unclaimed accesses. */
#include "vmm/vm.h"
#include "vmm/ivc.h"
#include "vmm/vcpu.h"
#include "vmm/vm_internal.h"
#include "vmm/virq.h"
#include "virt/arch_vm.h"
#include "kernel/console.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/timer.h"
#include "arch/timer.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"

/* The logical CPUs vCPU i may run on: phys_cpu_sets (a mask of CPU indices) when given, else the
 * CPU whose hardware id phys_cpu_ids names, else any CPU. */
static cpumask_t vcpu_affinity(const struct vm_config *config, unsigned i)
{
	if (config->base.phys_cpu_set_count > i)
		return config->base.phys_cpu_sets[i];
	if (config->base.phys_cpu_id_count > i) {
		for (unsigned cpu = 0; cpu < cpus_possible; cpu++)
			if (percpu_of(cpu)->hwid == config->base.phys_cpu_ids[i])
				return CPUMASK_ONE(cpu);
	}
	return CPUMASK_ALL;
}

static void vm_destroy(struct vm *vm)
{
	ivc_vm_release(vm);
	timer_cancel(&vm->console_flush_timer);
	vm_release_devices(vm);
	vm_release_memory(vm);
	arch_vm_destroy(vm);
	/* vCPU tasks, once created, stay parked; a failed create has none. */
	kfree(vm->vcpus);
	kfree(vm);
}

struct vm *vm_create(const struct vm_config *config)
{
	struct vm *vm = kzalloc(sizeof(*vm));
	if (!vm) {
		log_error("%s: out of memory for the VM", config->file_name);
		return NULL;
	}
	vm->id = (unsigned)config->base.id.value;
	format_snprintf(vm->name, sizeof(vm->name), "%s", config->base.name.value);
	vm->config = config;
	vm->state = VM_CREATED;
	vdev_bus_init(&vm->mmio_bus);
	vdev_bus_init(&vm->pio_bus);
	log_info("Creating VM [%u] \"%s\"", vm->id, vm->name);

	int err = arch_vm_init(vm);
	if (err < 0) {
		vm_log_error(vm, "not started: the arch cannot host it (%d)", err);
		kfree(vm);
		return NULL;
	}
	vm->vcpu_count = (unsigned)config->base.cpu_num.value;
	vm->vcpus = kzalloc(sizeof(*vm->vcpus) * vm->vcpu_count);
	if (!vm->vcpus || vm_setup_memory(vm) < 0 || vm_setup_devices(vm) < 0)
		goto fail;
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		vm->vcpus[i] = vcpu_create(vm, i, vcpu_affinity(config, i));
		if (!vm->vcpus[i])
			goto fail;
	}
	/* Images last: a generated device tree describes every device, the arch's included. */
	if (arch_vm_create_irqchip(vm) < 0 || vm_load_images(vm) < 0)
		goto fail;
	vm_log_info(vm, "%u vCPU(s), %u RAM region(s), %u emulated device(s)",
		    vm->vcpu_count, vm->ram_count, vm->mmio_bus.count + vm->pio_bus.count);
	return vm;
fail:
	vm_log_error(vm, "not started");
	vm_destroy(vm);
	return NULL;
}

/* The boot vCPU's start: the entry point, with the DTB's address as the boot argument. */
static void start_boot_vcpu(struct vm *vm)
{
	const struct vm_config *config = vm->config;
	uint64_t arg = config->kernel.images[VM_IMAGE_DTB].path.value ? config->kernel.images[VM_IMAGE_DTB].load_addr.value
									: vm->dtb_address;
	vm->boot_count++;
	if (vcpu_request_start(vm->vcpus[0], vm->entry, arg) == 0)
		return;
	/* A stop (or reset) came in since the VM was marked running, so nothing started: the VM
	 * ends as when its last vCPU leaves, which is what vm_vcpu_left does with the count of one. */
	unsigned long flags = spin_lock_irqsave(&vm->lock);
	vm->vcpus_active++;
	spin_unlock_irqrestore(&vm->lock, flags);
	vm_vcpu_left(vm);
}

void vm_start(struct vm *vm)
{
	unsigned long flags = spin_lock_irqsave(&vm->lock);
	vm->state = VM_RUNNING;
	spin_unlock_irqrestore(&vm->lock, flags);
	log_info("VM[%u] boot success", vm->id);
	start_boot_vcpu(vm);
}

static void stop_all_vcpus(struct vm *vm)
{
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		vcpu_request_stop(vm->vcpus[i]);
}

void vm_request_stop(struct vm *vm)
{
	unsigned long flags = spin_lock_irqsave(&vm->lock);
	if (vm->state == VM_RUNNING || vm->state == VM_RESETTING)
		vm->state = VM_STOPPED;
	spin_unlock_irqrestore(&vm->lock, flags);
	stop_all_vcpus(vm);
}

void vm_request_reset(struct vm *vm)
{
	unsigned long flags = spin_lock_irqsave(&vm->lock);
	if (vm->state == VM_RUNNING)
		vm->state = VM_RESETTING;
	spin_unlock_irqrestore(&vm->lock, flags);
	stop_all_vcpus(vm);
}

/* The exits of all the VM's vCPUs, in total and by reason: what a guest costs under Tessera.
 * (An exit the arch sends straight back with nothing done, such as x86's benchmark floor, is not
 * counted; hypercalls answered on an arch's fast path are.) */
static void log_exit_counts(struct vm *vm)
{
	static const char *const names[EXIT_FAULT + 1] = {
		[EXIT_NONE] = "other", [EXIT_MMIO] = "mmio", [EXIT_PIO] = "pio", [EXIT_HYPERCALL] = "hypercall",
		[EXIT_CPU_ON] = "cpu_on", [EXIT_CPU_OFF] = "cpu_off", [EXIT_HALT] = "halt",
		[EXIT_SYSTEM_OFF] = "off", [EXIT_SYSTEM_RESET] = "reset", [EXIT_IRQ] = "irq", [EXIT_FAULT] = "fault",
	};
	uint64_t by_reason[EXIT_FAULT + 1] = { 0 }, total = 0;
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		for (unsigned r = 0; r <= EXIT_FAULT; r++) {
			by_reason[r] += vm->vcpus[i]->exits[r];
			total += vm->vcpus[i]->exits[r];
		}
	}
	char detail[192];
	int n = 0;
	for (unsigned r = 0; r <= EXIT_FAULT && n < (int)sizeof(detail); r++)
		if (by_reason[r])
			n += format_snprintf(detail + n, sizeof(detail) - (size_t)n, "%s%s %llu", n ? ", " : "",
					     names[r], (unsigned long long)by_reason[r]);
	vm_log_info(vm, "stopped (%llu exits%s%s)", (unsigned long long)total, n ? ": " : "",
		    n ? detail : "");
	if (vm->unclaimed_unlogged)
		vm_log_info(vm, "%llu unclaimed accesses to addresses beyond the first eight logged",
			    (unsigned long long)vm->unclaimed_unlogged);
}

/* The last vCPU out finishes what was asked: a stopped VM gives back its memory and wakes the
 * VMM; a resetting VM gets clean RAM and fresh images and boots again. */
void vm_vcpu_left(struct vm *vm)
{
	unsigned long flags = spin_lock_irqsave(&vm->lock);
	bool last = --vm->vcpus_active == 0;
	enum vm_state state = vm->state;
	spin_unlock_irqrestore(&vm->lock, flags);
	if (!last)
		return;
	if (state == VM_RESETTING) {
		vm_log_info(vm, "resetting");
		ivc_vm_release(vm); /* its channels go, as on a real reset its memory's contents would */
		vm_reset_devices(vm);
		for (unsigned i = 0; i < vm->ram_count; i++)
			vm_clear_ram(&vm->ram[i]);
		if (vm_load_images(vm) == 0) {
			flags = spin_lock_irqsave(&vm->lock);
			vm->state = VM_RUNNING;
			spin_unlock_irqrestore(&vm->lock, flags);
			log_info("VM[%u] boot success (after reset)", vm->id);
			start_boot_vcpu(vm);
			return;
		}
		vm_log_error(vm, "cannot reload its images: stopping it");
	}
	flags = spin_lock_irqsave(&vm->lock);
	vm->state = VM_STOPPED;
	spin_unlock_irqrestore(&vm->lock, flags);
	vm_console_flush(vm);
	log_exit_counts(vm);
	vm_report_devices(vm);
	/* Before its RAM goes: a device another VM or the console can still reach (a NIC on a
	 * switch, a virtio console's typed input) holds pointers into the rings there; reset, it
	 * takes nothing more. */
	vm_reset_devices(vm);
	ivc_vm_release(vm);
	vm_release_memory(vm);
	/* Last: whoever waits for the VM may power the machine off as soon as it sees this. */
	__atomic_store_n(&vm->finished, true, __ATOMIC_RELEASE);
	if (vm->waiter)
		task_wake(vm->waiter);
}

/* Writes the buffered part of the line; called with the VM's lock held. */
static void console_emit(struct vm *vm, bool newline)
{
	char prefix[16];
	unsigned long flags = console_lock();
	if (!vm->console_continued) {
		int n = format_snprintf(prefix, sizeof(prefix), "[vm%u] ", vm->id);
		console_write_unlocked(prefix, (size_t)n);
	}
	console_write_unlocked(vm->console_line, vm->console_length);
	if (newline)
		console_write_unlocked("\n", 1);
	console_unlock(flags);
	vm->console_length = 0;
	vm->console_continued = !newline;
}

/* A line still open this long after it began is shown as it is: the guest may be waiting for
 * input in a WFI/HLT of its own, which the hypervisor does not see while the vCPU has its CPU to
 * itself, so the halt exit's flush cannot be relied on. */
#define CONSOLE_PARTIAL_LINE_NS 20000000ULL

static void console_flush_expired(struct timer_event *event, void *arg)
{
	(void)event;
	vm_console_flush(arg);
}

void vm_console_putc(struct vm *vm, char c)
{
	if (c == '\r')
		return;
	unsigned long flags = spin_lock_irqsave(&vm->lock);
	if (c == '\n') {
		console_emit(vm, true);
	} else {
		if (vm->console_length == 0)
			timer_arm(&vm->console_flush_timer, arch_timer_now() + timer_ns_to_ticks(CONSOLE_PARTIAL_LINE_NS),
				  console_flush_expired, vm);
		vm->console_line[vm->console_length++] = c;
		if (vm->console_length == sizeof(vm->console_line))
			console_emit(vm, false);
	}
	spin_unlock_irqrestore(&vm->lock, flags);
}

void vm_console_flush_line(struct vm *vm)
{
	unsigned long flags = spin_lock_irqsave(&vm->lock);
	if (vm->console_length)
		console_emit(vm, false);
	spin_unlock_irqrestore(&vm->lock, flags);
}

void vm_report_unclaimed(struct vm *vm, uint64_t address, bool write, const char *space)
{
	unsigned long flags = spin_lock_irqsave(&vm->lock);
	for (unsigned i = 0; i < vm->unclaimed_count; i++) {
		if (vm->unclaimed_reported[i] == address) {
			spin_unlock_irqrestore(&vm->lock, flags);
			return;
		}
	}
	/* Eight addresses are logged; after them a guest touching ever new ones is counted, so that
	 * it cannot flood the hypervisor's console (the count is in its stop line). */
	bool logged = vm->unclaimed_count < ARRAY_SIZE(vm->unclaimed_reported);
	if (logged)
		vm->unclaimed_reported[vm->unclaimed_count++] = address;
	bool first_unlogged = !logged && vm->unclaimed_unlogged++ == 0;
	spin_unlock_irqrestore(&vm->lock, flags);
	if (logged)
		vm_log_warn(vm, "%s %s %#llx that no device claims", write ? "write to" : "read from", space,
			    (unsigned long long)address);
	else if (first_unlogged)
		vm_log_warn(vm, "%s %s %#llx that no device claims; unclaimed accesses to further addresses are counted, "
			    "not logged", write ? "write to" : "read from", space, (unsigned long long)address);
}

bool vm_log_budget(struct vm *vm, unsigned *counter, unsigned budget, const char *what)
{
	unsigned n = __atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
	if (n == budget + 1)
		vm_log_info(vm, "further %s are not logged", what);
	return n <= budget;
}

void vm_set_irqchip(struct vm *vm, const struct virq_ops *ops, void *priv)
{
	vm->virq = ops;
	vm->virq_priv = priv;
}

static void report_no_irqchip(struct vm *vm, unsigned irq)
{
	if (vm->virq_missing_reported)
		return;
	vm->virq_missing_reported = true;
	vm_log_warn(vm, "interrupt %u raised, but the VM has no interrupt controller (interrupt_mode = \"no_irq\")",
		    irq);
}

void vm_irq_set(struct vm *vm, unsigned irq, bool level)
{
	if (vm->virq)
		vm->virq->set_level(vm, irq, level);
	else
		report_no_irqchip(vm, irq);
}

void vm_irq_pulse(struct vm *vm, unsigned irq)
{
	if (vm->virq && vm->virq->pulse)
		vm->virq->pulse(vm, irq);
	else
		report_no_irqchip(vm, irq);
}

void vm_log_write(const struct vm *vm, int level, const char *file, int line, const char *fmt, ...)
		  {
		  char prefix[sizeof("VM[4294967295] : ") + VM_NAME_MAX];
	format_snprintf(prefix, sizeof(prefix), "VM[%u] %s: ", vm->id, vm->name);
	va_list ap;
	va_start(ap, fmt);
	log_vwrite(level, file, line, prefix, fmt, ap);
	va_end(ap);
}
