/* SPDX-License-Identifier: Apache-2.0 */
/* VM lifecycle (see vmm/vm.h): create from a config, start, stop, suspend, resume, reset and
 * delete; its exit counts; the once-per-address report of unclaimed accesses. */
#include "vmm/vm.h"
#include "vmm/ivc.h"
#include "vmm/vcpu.h"
#include "vmm/vm_list.h"
#include "vmm/console_focus.h"
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

__attribute__((weak)) uint64_t arch_vcpu_placement(struct vm *vm, unsigned index, uint64_t allowed)
{
	(void)vm, (void)index;
	return allowed;
}

const char *vm_state_name(enum vm_state state)
{
	static const char *const names[] = {
		[VM_CREATED] = "created", [VM_RUNNING] = "running", [VM_RESETTING] = "resetting",
		[VM_SUSPENDED] = "suspended", [VM_STOPPED] = "stopped",
	};
	return state < ARRAY_SIZE(names) ? names[state] : "?";
}

enum vm_state vm_state_of(const struct vm *vm)
{
	return __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE);
}

void vm_vcpu_task_ended(struct vm *vm)
{
	__atomic_sub_fetch(&vm->vcpu_tasks, 1, __ATOMIC_ACQ_REL);
}

/* Ends the vCPUs' tasks (all off: the VM never ran or has stopped) and frees the vCPUs. */
static void end_vcpu_tasks(struct vm *vm)
{
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		if (vm->vcpus[i])
			vcpu_request_exit(vm->vcpus[i]);
	while (__atomic_load_n(&vm->vcpu_tasks, __ATOMIC_ACQUIRE))
		task_sleep_ns(1000000);
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		if (vm->vcpus[i])
			vcpu_free(vm->vcpus[i]);
}

static void vm_destroy(struct vm *vm)
{
	vm_list_remove(vm);
	console_focus_forget(vm);
	ivc_vm_release(vm);
	vm_console_release(vm);
	end_vcpu_tasks(vm);
	vm_release_devices(vm);
	vm_release_memory(vm);
	arch_vm_destroy(vm);
	kfree(vm->vcpus);
	kfree(vm->owned_config);
	kfree(vm);
}

/* "65536 KiB, 2048 KiB cleared now, 61440 KiB at first touch": how much RAM the VM got, how much of
 * it its setup had to clear because no idle CPU had scrubbed it ahead (kernel/mm.c), and how much
 * that may hold data is left to be cleared where the guest first touches it (vm_memory.c). */
#define RAM_SUMMARY_MAX 96
static const char *ram_summary(const struct vm *vm, char text[RAM_SUMMARY_MAX])
{
	format_snprintf(text, RAM_SUMMARY_MAX, "%llu KiB, %llu KiB cleared now, %llu KiB at first touch",
			(unsigned long long)(vm->ram_bytes >> 10), (unsigned long long)(vm->ram_cleared_bytes >> 10),
			(unsigned long long)(vm_ram_untouched_bytes(vm) >> 10));
	return text;
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
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers, so its element is one */
	vm->vcpus = kzalloc(sizeof(*vm->vcpus) * vm->vcpu_count);
	if (!vm->vcpus || vm_console_init(vm) < 0 || vm_setup_memory(vm) < 0 || vm_setup_devices(vm) < 0)
		goto fail;
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		cpumask_t affinity = arch_vcpu_placement(vm, i, vcpu_affinity(config, i));
		vm->vcpus[i] = affinity ? vcpu_create(vm, i, affinity) : NULL;
		if (!vm->vcpus[i])
			goto fail;
		vm->vcpu_tasks++;
	}
	/* Images last: a generated device tree describes every device, the arch's included. */
	if (arch_vm_create_irqchip(vm) < 0 || vm_load_images(vm) < 0)
		goto fail;
	char ram[RAM_SUMMARY_MAX];
	vm_log_info(vm, "%u vCPU(s), %u RAM region(s) (%s), %u emulated device(s)", vm->vcpu_count, vm->ram_count,
		    ram_summary(vm, ram), vm->mmio_bus.count + vm->pio_bus.count);
	return vm;
fail:
	vm_log_error(vm, "not started");
	vm_destroy(vm);
	return NULL;
}

/* The boot vCPU's start: the entry point, with the DTB's address as the boot argument. */
void vm_start_boot_vcpu(struct vm *vm)
{
	const struct vm_config *config = vm->config;
	uint64_t arg = config->kernel.images[VM_IMAGE_DTB].path.value ? config->kernel.images[VM_IMAGE_DTB].load_addr.value
									: vm->dtb_address;
	vm->boot_count++;
	vm->started_ns = timer_uptime_ns();
	if (vcpu_request_start(vm->vcpus[0], vm->entry, arg) == 0)
		return;
	/* A stop (or reset) came in since the VM was marked running, so nothing started: the VM
	 * ends as when its last vCPU leaves, which is what vm_vcpu_left does with the count of one. */
	unsigned long flags = spin_lock_irqsave(&vm->lock);
	vm->vcpus_active++;
	spin_unlock_irqrestore(&vm->lock, flags);
	vm_vcpu_left(vm);
}

/* A stopped VM gave its RAM back (vm_vcpu_left); to run again it gets fresh zeroed RAM and its
 * images, as at create. */
static int restore_stopped(struct vm *vm)
{
	int err = vm_setup_ram(vm);
	if (err == 0) {
		char ram[RAM_SUMMARY_MAX];
		vm_log_info(vm, "RAM given again (%s)", ram_summary(vm, ram));
		err = vm_load_images(vm);
	}
	if (err < 0) {
		vm_release_memory(vm);
		vm_log_error(vm, "cannot start again: %s", err == -ENOMEM ? "no memory for its RAM" : "its images did not load");
	}
	return err;
}

int vm_start(struct vm *vm)
{
	int err = vm_start_prepare(vm);
	if (err == 0)
		vm_start_boot_vcpu(vm);
	return err;
}

int vm_start_prepare(struct vm *vm)
{
	enum vm_state state = vm_state_of(vm);
	if (state == VM_STOPPED && !__atomic_load_n(&vm->finished, __ATOMIC_ACQUIRE))
		return -EBUSY; /* its last vCPU is still on its way out */
	if (state != VM_CREATED && state != VM_STOPPED)
		return -EBUSY;
	if (state == VM_STOPPED) {
		int err = restore_stopped(vm);
		if (err < 0)
			return err;
		__atomic_store_n(&vm->finished, false, __ATOMIC_RELEASE);
	}
	unsigned long flags = spin_lock_irqsave(&vm->lock);
	vm->state = VM_RUNNING;
	spin_unlock_irqrestore(&vm->lock, flags);
	log_info("VM[%u] boot success", vm->id);
	return 0;
}

static void stop_all_vcpus(struct vm *vm)
{
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		vcpu_request_stop(vm->vcpus[i]);
}

void vm_request_stop(struct vm *vm)
{
	unsigned long flags = spin_lock_irqsave(&vm->lock);
	if (vm->state == VM_RUNNING || vm->state == VM_RESETTING || vm->state == VM_SUSPENDED)
		vm->state = VM_STOPPED;
	spin_unlock_irqrestore(&vm->lock, flags);
	stop_all_vcpus(vm);
}

/* How long the shell waits for a VM's vCPUs to do what it asked (they answer at their next exit,
 * forced by a kick: this bounds only a hypervisor bug, not a guest). */
#define VM_ANSWER_NS 2000000000ULL

static bool wait_until_for(struct vm *vm, bool (*done)(struct vm *vm), uint64_t wait_ns)
{
	uint64_t deadline = timer_uptime_ns() + wait_ns;
	while (!done(vm)) {
		if (timer_uptime_ns() > deadline)
			return false;
		task_sleep_ns(1000000);
	}
	return true;
}

/* What each vCPU was doing when it did not answer in time: a hypervisor bug to find, so the log
 * says where each one stood (vCPU state, its task's state and CPU, the requests it has not taken). */
static void log_unanswered(struct vm *vm, const char *what)
{
	static const char *const task_states[] = { "runnable", "running", "sleeping", "exited" };
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		const struct vcpu *v = vm->vcpus[i];
		unsigned task_state = (unsigned)__atomic_load_n(&v->task->state, __ATOMIC_RELAXED);
		vm_log_warn(vm, "%s: vCPU %u state %u, its task %s on CPU %u (on a CPU: %d), requests %#x", what, v->id,
			    (unsigned)v->state, task_state < 4 ? task_states[task_state] : "?", v->task->cpu,
			    (int)__atomic_load_n(&v->task->on_cpu, __ATOMIC_RELAXED),
			    __atomic_load_n(&v->requests, __ATOMIC_RELAXED));
	}
}

static bool wait_until(struct vm *vm, bool (*done)(struct vm *vm), const char *what)
{
	if (wait_until_for(vm, done, VM_ANSWER_NS))
		return true;
	log_unanswered(vm, what);
	return false;
}

static bool is_finished(struct vm *vm)
{
	return __atomic_load_n(&vm->finished, __ATOMIC_ACQUIRE);
}

void vm_set_power_button(struct vm *vm, int (*press)(void *device, const char **why), void *device, const char *what)
{
	vm->power_button = (struct vm_power_button){ what, press, device };
}

int vm_shutdown(struct vm *vm, uint64_t wait_ns, const char **why)
{
	enum vm_state state = vm_state_of(vm);
	if (state == VM_CREATED || state == VM_STOPPED)
		return -EALREADY;
	if (state != VM_RUNNING)
		return -EBUSY;
	if (!vm->power_button.what)
		return -ENODEV;
	int err = vm->power_button.press(vm->power_button.device, why);
	if (err < 0)
		return err;
	vm_log_info(vm, "its %s was pressed", vm->power_button.what);
	return wait_until_for(vm, is_finished, wait_ns) ? 0 : -ETIMEDOUT;
}

int vm_stop(struct vm *vm)
{
	enum vm_state state = vm_state_of(vm);
	if (state == VM_CREATED || (state == VM_STOPPED && is_finished(vm)))
		return -EALREADY;
	vm_request_stop(vm);
	return wait_until(vm, is_finished, "the stop was not answered in time") ? 0 : -ETIMEDOUT;
}

void vm_request_reset(struct vm *vm)
{
	unsigned long flags = spin_lock_irqsave(&vm->lock);
	bool suspended = vm->state == VM_SUSPENDED;
	if (vm->state == VM_RUNNING || suspended)
		vm->state = VM_RESETTING;
	spin_unlock_irqrestore(&vm->lock, flags);
	stop_all_vcpus(vm);
	if (suspended)
		for (unsigned i = 0; i < vm->vcpu_count; i++)
			vcpu_request_pause(vm->vcpus[i], false);
}

int vm_restart(struct vm *vm)
{
	enum vm_state state = vm_state_of(vm);
	if (state == VM_CREATED || state == VM_STOPPED)
		return vm_start(vm);
	if (state != VM_RUNNING && state != VM_SUSPENDED)
		return -EBUSY;
	vm_request_reset(vm);
	return 0;
}

/* Every vCPU is off, or holds still in hold_while_paused (vcpu.c) and has left its CPU: its
 * state is saved (arch_vcpu_put), which vm_resume's clock shift works on. */
static bool all_paused(struct vm *vm)
{
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *vcpu = vm->vcpus[i];
		if (vcpu->state == VCPU_OFF)
			continue;
		if (!__atomic_load_n(&vcpu->paused, __ATOMIC_ACQUIRE) || __atomic_load_n(&vcpu->task->on_cpu, __ATOMIC_ACQUIRE))
			return false;
	}
	return true;
}

/* Moves the VM from `from` to `to`: 0, -EALREADY when it is in `to`, -EBUSY in any other state. */
static int change_state(struct vm *vm, enum vm_state from, enum vm_state to)
{
	unsigned long flags = spin_lock_irqsave(&vm->lock);
	int err = vm->state == from ? 0 : vm->state == to ? -EALREADY : -EBUSY;
	if (err == 0)
		vm->state = to;
	spin_unlock_irqrestore(&vm->lock, flags);
	return err;
}

int vm_suspend(struct vm *vm)
{
	int err = change_state(vm, VM_RUNNING, VM_SUSPENDED);
	if (err < 0)
		return err;
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		vcpu_request_pause(vm->vcpus[i], true);
	bool held = wait_until(vm, all_paused, "the suspend was not answered in time");
	/* The clock stops once every vCPU holds still: what the guest ran before it, it saw. */
	vm->suspended_ticks = arch_timer_now();
	vm_console_flush(vm);
	return held ? 0 : -ETIMEDOUT;
}

int vm_resume(struct vm *vm)
{
	int err = change_state(vm, VM_SUSPENDED, VM_RUNNING);
	if (err < 0)
		return err;
	/* The guest's clock goes on from where it stood: moved back by the pause, so that neither its
	 * time nor its timers jump (a timer due in the pause fires at once, once). */
	uint64_t paused = arch_timer_now() - vm->suspended_ticks;
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		arch_vcpu_shift_clock(vm->vcpus[i], paused);
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		vcpu_request_pause(vm->vcpus[i], false);
	return 0;
}

int vm_delete(struct vm *vm)
{
	enum vm_state state = vm_state_of(vm);
	if (state != VM_CREATED && !(state == VM_STOPPED && is_finished(vm)))
		return -EBUSY;
	log_info("VM[%u] deleted", vm->id);
	vm_destroy(vm);
	return 0;
}

const char *vm_exit_reason_name(enum vm_exit_reason reason)
{
	static const char *const names[EXIT_FAULT + 1] = {
		[EXIT_NONE] = "other", [EXIT_MMIO] = "mmio", [EXIT_PIO] = "pio", [EXIT_HYPERCALL] = "hypercall",
		[EXIT_CPU_ON] = "cpu_on", [EXIT_CPU_OFF] = "cpu_off", [EXIT_HALT] = "halt",
		[EXIT_SYSTEM_OFF] = "off", [EXIT_SYSTEM_RESET] = "reset", [EXIT_IRQ] = "irq", [EXIT_RAM] = "ram",
		[EXIT_FAULT] = "fault",
	};
	return reason <= EXIT_FAULT ? names[reason] : "?";
}

uint64_t vm_exit_counts(const struct vm *vm, uint64_t by_reason[EXIT_FAULT + 1])
{
	uint64_t total = 0;
	for (unsigned r = 0; r <= EXIT_FAULT; r++)
		by_reason[r] = 0;
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		for (unsigned r = 0; r <= EXIT_FAULT; r++) {
			by_reason[r] += vm->vcpus[i]->exits[r];
			total += vm->vcpus[i]->exits[r];
		}
	}
	return total;
}

/* The exits of all the VM's vCPUs, in total and by reason: what a guest costs under Tessera.
 * (An exit the arch sends straight back with nothing done, such as x86's benchmark floor, is not
 * counted; hypercalls answered on an arch's fast path are.) */
static void log_exit_counts(struct vm *vm)
{
	uint64_t by_reason[EXIT_FAULT + 1];
	uint64_t total = vm_exit_counts(vm, by_reason);
	char detail[192];
	int n = 0;
	for (unsigned r = 0; r <= EXIT_FAULT && n < (int)sizeof(detail); r++)
		if (by_reason[r])
			n += format_snprintf(detail + n, sizeof(detail) - (size_t)n, "%s%s %llu", n ? ", " : "",
					     vm_exit_reason_name(r), (unsigned long long)by_reason[r]);
	vm_log_info(vm, "stopped (%llu exits%s%s)", (unsigned long long)total, n ? ": " : "",
		    n ? detail : "");
	if (vm->unclaimed_unlogged)
		vm_log_info(vm, "%llu unclaimed accesses to addresses beyond the first eight logged",
			    (unsigned long long)vm->unclaimed_unlogged);
}

#define RESETS_LOGGED_IN_FULL 10
#define RESETS_LOGGED_EVERY 10

/* The reset under way (or asked for) is the VM's boot_count-th: it ends its boot_count-th boot. */
static int reset_log_level(const struct vm *vm)
{
	unsigned n = vm->boot_count;
	return n <= RESETS_LOGGED_IN_FULL || n % RESETS_LOGGED_EVERY == 0 ? LOG_LEVEL_INFO : LOG_LEVEL_DEBUG;
}

int vm_boot_log_level(const struct vm *vm)
{
	return vm_state_of(vm) == VM_RESETTING ? reset_log_level(vm) : LOG_LEVEL_INFO;
}

void vm_request_guest_reset(struct vm *vm, const char *how)
{
	vm_log_at(reset_log_level(vm), vm, "the guest asked for a reset%s%s%s", how ? " (" : "", how ? how : "",
		  how ? ")" : "");
	vm_request_reset(vm);
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
		int level = vm_boot_log_level(vm);
		vm_log_at(level, vm, "resetting");
		ivc_vm_release(vm); /* its channels go, as on a real reset its memory's contents would */
		vm_reset_devices(vm);
		/* A reset VM never sees its last run's data, unless its config asks to keep it (a
		 * guest that leaves itself a crash log, as pstore/ramoops does across a warm reset). */
		if (!vm->config->kernel.keep_ram_on_reset.value)
			for (unsigned i = 0; i < vm->ram_count; i++)
				vm_forget_ram(vm, &vm->ram[i]);
		if (vm_load_images(vm) == 0) {
			flags = spin_lock_irqsave(&vm->lock);
			vm->state = VM_RUNNING;
			spin_unlock_irqrestore(&vm->lock, flags);
			/* The free frames and heap bytes at each reset: a reset takes and gives back
			 * nothing, so a leak shows as a drift (the reset soak checks them). */
			log_at(level, "VM[%u] boot success (after reset %u: %zu frames free, heap %zu bytes in use)",
			       vm->id, vm->boot_count, frames_free(), heap_bytes_used());
			vm_start_boot_vcpu(vm);
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

void vm_irq_message(struct vm *vm, uint64_t address, uint32_t data)
{
	if (vm->virq && vm->virq->message)
		vm->virq->message(vm, address, data);
	else
		report_no_irqchip(vm, data & 0xff);
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
